// --tags / --skip-tags selection, as Ansible's Taggable.evaluate_tags: `always` runs unless
// skipped explicitly, `never` runs only when asked for, `tagged`/`untagged`/`all` are special.
export interface TagSelection {
  only: string[]
  skip: string[]
}

export function shouldRun(taskTags: string[], selection: TagSelection): boolean {
  const tags = new Set(taskTags.length > 0 ? taskTags : ['untagged'])
  const only = new Set(selection.only.length > 0 ? selection.only : ['all'])
  const skip = new Set(selection.skip)
  const untagged = tags.size === 1 && tags.has('untagged')
  const intersects = (set: Set<string>) => [...tags].some(tag => set.has(tag))
  let run = true
  if (only.size > 0) {
    run = false
    if (tags.has('always')) run = true
    else if (only.has('all') && !tags.has('never')) run = true
    else if (intersects(only)) run = true
    else if (only.has('tagged') && !untagged && !tags.has('never')) run = true
  }
  if (run && skip.size > 0) {
    if (skip.has('all')) {
      if (!tags.has('always') || skip.has('always')) run = false
    } else if (intersects(skip)) run = false
    else if (skip.has('tagged') && !untagged) run = false
  }
  return run
}
