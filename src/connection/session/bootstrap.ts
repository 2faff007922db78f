// The POSIX sh program a session shell runs. It is written to the shell's stdin (never to
// argv, so nothing of it shows in `ps`), probes the container's tools once, then loops:
// read one request (lines up to a line holding only the marker) with the `read` builtin and
// eval it. `read` consumes a pipe byte by byte, so payload bytes that follow a request are left
// for the exact-length reader (`dd … iflag=count_bytes,fullblock`, or a `head -c` proven not to
// over-read) to take — busybox `head -c` reads ahead and would swallow the next request.
//
// Frames the client parses (M = the per-session random marker):
//   stdout  M R <reader> <hash> <cat> <stat> <setsid> <tmp>  ready, with the probed tools
//           M E<id> <rc>                                   end of request <id>
//           M I<id> <text>                                 information for request <id>
//           M X<id>                                        request failed before running
//           M K<id>                                        kill request done
//   stderr  M S<id> … M E<id>                              stderr of request <id>
// Commands run in the background inside a wrapper that reports their end, so the loop stays
// free to read a kill request while a command runs (timeouts cost no extra kubectl process).
//
// A command's stdout and stderr are fifos, never the session's own streams; a relay (a subshell
// started by the loop, running `cat`) copies each into a spool file in the session tmp dir. A
// relay whose spool cannot be written (tmp dir full) drains its fifo instead and marks the
// spool; the command then gets what the spool holds, a line on stderr and a failing rc.
// The command's end is the end of its own process. Then, per relay:
//  - it exited: nothing else held the fifo, the spool is complete (the usual case);
//  - it sleeps: a background process the command left behind (`nohup srv &`, `sleep 1 && echo
//    late &`) still holds the fifo, and a relay that copies a fifo into a regular file sleeps
//    only while the fifo is empty, so all the command wrote is in the spool. The wrapper copies
//    the spool up to that size, gives the fifo a reader that discards (opened before the relay
//    is stopped, so no writer ever meets a fifo without readers and dies of SIGPIPE) and takes
//    a new fifo for the next command.
// So late output can neither reach a later command nor break the framing, and it does not hold
// the task open. Ansible's kubectl connection instead waits until every such writer has closed
// the exec's stdout, which hangs the task for as long as the background process lives.
// Fifos rather than plain files: a command that reopens /dev/stdout or /dev/stderr (`echo x
// >/dev/stderr`, `tee /dev/stdout`) would truncate a file and lose what it wrote before. The
// price is two relay processes per command. The sleep test assumes writes to the spool never
// sleep, true of local filesystems; on a network tmp dir such a sleep would be taken for a late
// writer and the copy cut at the spool's size.
// Without mkfifo, cat or /proc, commands write to the session's streams directly, as before.
import { shellQuote } from './shell-quote.js'

export function bootstrapProgram(marker: string, remoteTmp: string, spoolNonce: string): string {
  return `__M=${shellQuote(marker)}
__T=${shellQuote(remoteTmp)}
__N=${shellQuote(spoolNonce)}
__w= __sink= __ok=0 __rh=
__has() { command -v "$1" >/dev/null 2>&1; }
__say() { printf '%s%s\\n' "$__M" "$1"; }
__beg() { printf '%sS%s\\n' "$__M" "$1" >&2; }
__end() { printf '%sE%s %s\\n' "$__M" "$1" "$2"; printf '%sE%s\\n' "$__M" "$1" >&2; }
__probe() { [ "$(printf abcdef | { eval "$1" >/dev/null 2>&1; IFS= read -r __x; printf %s "$__x"; })" = def ]; }
__rd=none
if __has dd && __probe 'dd bs=4 count=3 iflag=count_bytes,fullblock'; then __rd=ddfb
elif __has head && __probe 'head -c 3'; then __rd=head
elif __has dd && __probe 'dd bs=1 count=3'; then __rd=dd1
fi
__hc= __ha=none
if __has sha256sum; then __hc=sha256sum __ha=sha256
elif __has busybox && busybox sha256sum </dev/null >/dev/null 2>&1; then __hc='busybox sha256sum' __ha=sha256
elif __has sha1sum; then __hc=sha1sum __ha=sha1
elif __has md5sum; then __hc=md5sum __ha=md5
elif __has cksum; then __hc=cksum __ha=cksum
fi
__ss=none; __has setsid && __ss=setsid
# Hashing while receiving overlaps the pod's second pass over the file with the transfer.
__te=0; [ -n "$__hc" ] && __has tee && __te=1
__sc=0; __has stat && stat -c %f / >/dev/null 2>&1 && __sc=1
__ct=none; if __has cat; then __ct=cat; elif __has dd; then __ct=dd; fi
case $__T in '~') __T=$HOME ;; '~/'*) __T=$HOME/\${__T#'~/'} ;; esac
( umask 077; mkdir -p "$__T" ) 2>/dev/null
[ -d "$__T" ] && [ -w "$__T" ] || __T=\${TMPDIR:-/tmp}
__pgrp() { IFS= read -r __st 2>/dev/null <"/proc/$1/stat" || return 1; set -- \${__st##*') '}; printf %s "$3"; }
__mypg=$(__pgrp $$)
__get() { case $__rd in
  ddfb) dd bs=65536 count="$1" iflag=count_bytes,fullblock 2>/dev/null ;;
  head) head -c "$1" ;;
  dd1) dd bs=1 count="$1" 2>/dev/null ;;
  *) return 1 ;;
esac; }
__size() {
  if [ "$__sc" = 1 ]; then stat -L -c %s -- "$1"
  elif __has wc; then set -- $(wc -c <"$1") && printf %s "$1"
  else set -- $(ls -lnL -- "$1") && printf %s "$5"; fi
}
__hash() { [ -n "$__hc" ] || return 0; set -- $($__hc <"$1") && printf %s "$1"; }
__cat() { case $__ct in
  cat) cat -- "$1" ;;
  dd) dd if="$1" bs=65536 2>/dev/null ;;
  *) echo 'neither cat nor dd exists in the container' >&2; return 1 ;;
esac; }
__hd=0; __has head && [ "$(printf abcdef | head -c 3 2>/dev/null)" = abc ] && __hd=1
__fifo=0; [ "$__ct" = cat ] && __has mkfifo && __has chmod && [ -r /proc/$$/stat ] && [ -r /proc/$$/task/$$/children ] && __fifo=1
__q=0 __iso=0 __fo= __fe= __so= __se= __ro= __re=
# A command's fifos and spools: the last ones while nothing holds them, else new ones.
__slot() {
  [ "$__fifo" = 1 ] || return 0
  if [ "$__iso" = 1 ] && [ -p "$__fo" ] && [ -p "$__fe" ] && [ ! -x "$__so" ] && [ ! -x "$__se" ]; then
    : >"$__so"; : >"$__se"; return 0
  fi
  [ -z "$__fo" ] || __drop "$__fo" "$__fe" "$__so" "$__se"
  __q=$((__q + 1)) __iso=0
  __fo="$__T/.ka-fo-$__N-$__q" __fe="$__T/.ka-fe-$__N-$__q"
  __so="$__T/.ka-so-$__N-$__q" __se="$__T/.ka-se-$__N-$__q"
  ( umask 077; mkfifo "$__fo" "$__fe" && set -C && : >"$__so" && : >"$__se" ) 2>/dev/null && __iso=1
  [ "$__iso" = 1 ] || __drop "$__fo" "$__fe" "$__so" "$__se"
}
# Relay: copies fifo $1 into spool $2. A copy that cannot write its spool (ENOSPC: the tmp dir
# is full) marks the spool executable (metadata only: it needs no free space) and the relay
# starts a cat that drains the fifo, which it has held open all along, so the command never
# meets a fifo without readers and dies of SIGPIPE. The relay is a subshell waiting for its cat;
# __detach stops it with TERM, which it takes for a quiet exit (a shell such as bash reports a
# background job killed by a signal on the session's stderr).
__relay() {
  trap 'exit 0' TERM
  exec 3<"$1"
  cat <&3 >>"$2" 2>/dev/null && exit 0
  chmod u+x -- "$2" 2>/dev/null
  cat <&3 >/dev/null 2>&1 3<&-
  exit 0
}
# The process of relay $1 that reads the fifo: its cat while it has one, else itself.
__reader() { __ch=; read -r __ch __x 2>/dev/null <"/proc/$1/task/$1/children"; printf %s "\${__ch:-$1}"; }
# A short wait: 10 ms where sleep takes fractions, else (busybox builds without them fail at
# once) 1 s, so the wait loop never spins.
__zz=1
__nap() { if [ "$__zz" = 1 ] && sleep 0.01 2>/dev/null; then return 0; fi; __zz=0; sleep 1; }
# 0 once relay $1 has exited, 1 while it sleeps on an empty fifo (a late writer holds it).
__settle() {
  __n=0
  while IFS= read -r __st 2>/dev/null <"/proc/$1/stat"; do
    set -- "$1" \${__st##*') '}
    case $2 in Z | X) return 0 ;; esac
    __ch=; read -r __ch __x 2>/dev/null <"/proc/$1/task/$1/children"
    if [ -n "$__ch" ]; then
      # The relay waits for its copying cat: that one's state tells.
      if IFS= read -r __st 2>/dev/null <"/proc/$__ch/stat"; then set -- "$1" \${__st##*') '}; else set -- "$1" Z; fi
    fi
    case $2 in S) return 1 ;; esac
    __n=$((__n + 1)); [ "$__n" -lt 2000 ] || __nap
  done
  return 0
}
# The first $2 bytes of spool $1 (all of it when $2 is empty).
__copy() {
  if [ -n "$2" ] && [ "$__rd" = ddfb ]; then dd bs=65536 count="$2" iflag=count_bytes,fullblock 2>/dev/null
  elif [ -n "$2" ] && [ "$__hd" = 1 ]; then head -c "$2"
  else cat; fi <"$1"
}
# After a late writer: the spools as big as they are now, a discarding reader on the fifos
# before their relays stop, and the names removed so the next command gets new ones.
__detach() {
  __zo= __ze=; [ "$__sc" = 1 ] && set -- $(stat -L -c %s -- "$__so" "$__se") && __zo=$1 __ze=$2
  [ ! -s "$__so" ] || __copy "$__so" "$__zo"
  [ ! -s "$__se" ] || __copy "$__se" "$__ze" >&2
  # Read ends opened here (a read-write one first, so they cannot block), not by the readers
  # themselves: those would race the removal of the names below.
  exec 5<>"$__fo" 6<"$__fo" 7<>"$__fe" 8<"$__fe"
  cat <&6 >/dev/null 2>&1 4<&- 5>&- 6<&- 7>&- 8<&- &
  cat <&8 >/dev/null 2>&1 4<&- 5>&- 6<&- 7>&- 8<&- &
  set -- "$(__reader "$__ro")" "$(__reader "$__re")"
  kill -TERM "$__ro" "$__re" 2>/dev/null
  kill -9 "$@" 2>/dev/null
  exec 5>&- 6<&- 7>&- 8<&-
  __drop "$__fo" "$__fe" "$__so" "$__se"
}
__open() { __sink=$1 __ok=0 __rh=; ( umask 077; set -C; : >"$1" ) && __ok=1; }
__adopt() { __sink=$1 __ok=0 __rh=; [ -f "$1" ] && __ok=1; }
__recv() {
  if [ "$__ok" != 1 ]; then __get "$1" >/dev/null
  elif [ "$__te" = 1 ]; then set -- $(__get "$1" | tee -a "$__sink" | $__hc) && __rh=$1
  else __get "$1" >>"$__sink"; fi
}
__ia() { [ "$__ok" != 1 ] || printf "$1" >>"$__sink"; }
__drop() { rm -f -- "$@" 2>/dev/null; }
__tree() {
  __all=" $1 " __more=1
  while [ "$__more" = 1 ]; do
    __more=0
    for __d in /proc/[0-9]*; do
      __q=\${__d#/proc/}
      case $__all in *" $__q "*) continue ;; esac
      IFS= read -r __st 2>/dev/null <"$__d/stat" || continue
      set -- \${__st##*') '}
      case $__all in *" $2 "*) __all="$__all$__q " __more=1 ;; esac
    done
  done
  set -- $__all; shift; echo "$@"
}
__k() {
  if [ -n "$__w" ]; then
    __t=$(__tree "$__w"); [ -z "$__t" ] || kill -STOP $__t 2>/dev/null
    __t=$(__tree "$__w")
    for __p in $__t; do
      __g=$(__pgrp "$__p") && [ "$__g" != "$__mypg" ] && kill -9 -"$__g" 2>/dev/null
    done
    [ -z "$__t" ] || kill -9 $__t 2>/dev/null
  fi
  __say "K$1"
}
__x() {
  __i=$1 __xe=$2 __c=$3 __d=$4 __in=$5; shift 5
  [ -z "$__w" ] || wait "$__w" 2>/dev/null
  [ -z "$__ro" ] || wait "$__ro" "$__re" 2>/dev/null
  __ro= __re=
  if [ "$__in" = 1 ]; then
    if [ "$__ok" != 1 ]; then __ok=0; __say "X$__i"; __end "$__i" 1; return; fi
    command exec 4<"$__sink"; rm -f -- "$__sink"
  else command exec 4</dev/null; fi
  __ok=0 __sink=
  __slot
  # The relays are the loop's children, so a timeout's kill (the wrapper's tree) spares them
  # and they still copy what the killed command wrote.
  if [ "$__iso" = 1 ]; then
    (__relay "$__fo" "$__so") 2>/dev/null 4<&- &
    __ro=$!
    (__relay "$__fe" "$__se") 2>/dev/null 4<&- &
    __re=$!
  fi
  (
    if [ "$__iso" = 1 ]; then
      exec 5>"$__fo" 7>"$__fe"
      (__run "$@") <&4 >&5 2>&7 &
      __cp=$!
      exec 5>&- 7>&-
    else
      (__run "$@") <&4 &
      __cp=$!
    fi
    wait "$__cp"
    __r=$?
    if [ "$__iso" = 1 ]; then
      __late=0 __cut=0
      __settle "$__ro" || __late=1
      __settle "$__re" || __late=1
      [ ! -x "$__so" ] && [ ! -x "$__se" ] || __cut=1
      if [ "$__late" = 1 ]; then __detach
      else
        [ ! -s "$__so" ] || cat <"$__so"
        [ ! -s "$__se" ] || cat <"$__se" >&2
      fi
      if [ "$__cut" = 1 ]; then
        printf 'kubectl-ansible: output of this command was cut: no space left in the remote tmp dir %s\\n' "$__T" >&2
        [ "$__r" != 0 ] || __r=1
      fi
    fi
    __end "$__i" $__r
  ) &
  __w=$!
  exec 4<&-
}
__run() {
  exec 4<&- 5>&- 7>&-
  if [ -n "$__d" ]; then cd -- "$__d" || exit 1; fi
  for __v in "$@"; do export "$__v"; done
  if [ "$__ss" = setsid ]; then exec setsid "$__xe" -c "$__c"; else exec "$__xe" -c "$__c"; fi
}
__mode() {
  if [ -n "$3" ]; then chmod "$3" "$1"
  elif [ -e "$2" ]; then
    [ "$__sc" != 1 ] || { chmod "$(stat -L -c %a -- "$2")" "$1" && { chown "$(stat -L -c %u:%g -- "$2")" "$1" 2>/dev/null; :; }; }
  else chmod "$(printf %o $((0666 & ~$(umask))))" "$1"; fi
}
__put() {
  IFS= read -r __want
  __r=1 __z= __h=
  if [ "$__ok" = 1 ]; then
    __z=$(__size "$__sink")
    if [ "$__z" != "$4" ]; then echo "transfer incomplete: \${__z:-0} of $4 bytes arrived" >&2
    else
      __h=\${__rh:-$(__hash "$__sink")}
      if [ -n "$__want" ] && [ "$__h" != "$__want" ]; then echo 'checksum mismatch after transfer' >&2
      elif [ -d "$2" ] && [ ! -L "$2" ]; then echo "$2: is a directory" >&2
      elif __mode "$__sink" "$2" "$3" && mv -f -- "$__sink" "$2"; then __r=0
      fi
    fi
  fi
  [ "$__r" = 0 ] || __drop "$__sink"
  __ok=0 __sink= __rh=
  printf '%s %s\\n' "$__z" "$__h"
  __end "$1" "$__r"
}
__fetch() {
  if [ ! -e "$2" ]; then __say "I$1 missing"; __end "$1" 1; return; fi
  __z=$(__size "$2") || { __say "X$1"; __end "$1" 1; return; }
  __say "I$1 $__z"
  # The hash is computed alongside the copy, not before it: one pass's time instead of two.
  __hf="$__T/.ka-hash-$$-$1"
  ( __hash "$2" >"$__hf" ) &
  __hp=$!
  __cat "$2"; __r=$?
  wait "$__hp"; __h=; IFS= read -r __h <"$__hf"; rm -f -- "$__hf"
  if [ -n "$__hc" ] && [ -z "$__h" ]; then __say "X$1"; __r=1; fi
  __say "I$1 hash $__h"
  __end "$1" $__r
}
__stat() {
  if [ "$3" = 1 ]; then __L=-L; [ -e "$2" ]; else __L=; [ -e "$2" ] || [ -L "$2" ]; fi || { echo missing; __end "$1" 0; return; }
  if [ "$__sc" = 1 ]; then stat $__L -c 'stat %f %s %u %g %X %Y %Z %U %G' -- "$2"; else printf 'ls '; ls -ldn $__L -- "$2"; fi
  __r=$?
  if [ "$3" != 1 ] && [ -L "$2" ] && __has readlink; then printf 'link:'; readlink -- "$2"; fi
  __end "$1" $__r
}
__loop() {
  __say "R $__rd $__ha $__ct $__sc $__ss $__T"
  while :; do
    __s= __e=1
    while IFS= read -r __l; do
      if [ "$__l" = "$__M" ]; then __e=0; break; fi
      __s="$__s$__l
"
    done
    if [ "$__e" != 0 ]; then [ -z "$__fo" ] || __drop "$__fo" "$__fe" "$__so" "$__se"; return 0; fi
    eval "$__s"
  done
}
__loop
`
}
