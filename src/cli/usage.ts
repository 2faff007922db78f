// Help text of the CLI; kept in one place so `--help` and the README say the same thing.

export const usage = `usage: kubectl-ansible <command> [options]

Run Ansible-style playbooks, task lists and ad-hoc modules inside Kubernetes pods over
kubectl exec. No Python, SSH or Ansible needed on the runner or in the pods.

commands:
  inventory -i INV --list [--export]          inventory as JSON, like ansible-inventory --list
  inventory -i INV --list-hosts PATTERN       matching hosts, one per line, in Ansible's order
  playbook  -i INV PLAYBOOK [options]         run a playbook
  adhoc     -i INV PATTERN -m MODULE [-a ARGS] [options]
                                              run one module on the matching hosts

inventory sources (-i, repeatable):
  FILE | DIR | 'h1,h2,' | 'k8s://NAMESPACE?selector=app%3Dweb[&container=C]'

options (playbook and adhoc):
  -e, --extra-vars VARS     key=value pairs, JSON/YAML, or @file (repeatable)
  -C, --check               don't change anything; report what would change
  -D, --diff                show the differences in changed files
  -l, --limit PATTERN       further limit the selected hosts
  -t, --tags TAGS           only run tasks with these tags (playbook)
      --skip-tags TAGS      skip tasks with these tags (playbook)
  -f, --forks N             hosts handled in parallel (default 5)
      --timeout S           per-task timeout in seconds (0 = none)
      --shard I/N           run only the I-th of N slices of the sorted host list
      --json                print one JSON document (Ansible's json callback shape)
      --kubectl PATH        kubectl binary (default: kubectl on PATH)
      --kubeconfig FILE     kubeconfig for kubectl (default: $KUBECONFIG)
      --context NAME        kubeconfig context
  -v, --verbose             more output (repeat for more)
      --list-tasks, --list-hosts, --syntax-check
  -h, --help                this help
      --version             print the version

exit codes (as ansible-playbook): 0 ok, 1 error, 2 a host failed, 4 a host unreachable or a
parse error, 5 bad option value, 250 unexpected error.
`
