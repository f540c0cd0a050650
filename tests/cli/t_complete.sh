# t_complete.sh - the bash and zsh completions (completions/): installed by
# make install (t_install.sh), they offer the commands of `reprint --help`,
# every option of each command's --help, and the values of --format,
# --keep, --sort, --input and --color.

cdir=$T/complete
mkdir -p "$cdir/bin"
printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$WRAP" "$BIN" >"$cdir/bin/reprint"
chmod +x "$cdir/bin/reprint"

# comp WORDS...: what the bash completion offers for the last word
comp() {
    PATH="$cdir/bin:$PATH" bash -c '
        . completions/reprint.bash
        COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
        _reprint
        printf "%s\n" "${COMPREPLY[@]}"' comp "$@" | LC_ALL=C sort
}

comp reprint '' >"$cdir/cmds"
for c in scan diff report dedup index --help --version; do has "complete: command $c" "$cdir/cmds" "$c"; done
comp reprint de >"$cdir/de"
printf 'dedup\n' >"$cdir/de.want"
same "complete: de -> dedup" "$cdir/de" "$cdir/de.want"
comp reprint index '' >"$cdir/subs"
for c in add query stats rm export; do has "complete: index $c" "$cdir/subs" "$c"; done
for cmd in scan diff report dedup "index add"; do
    # shellcheck disable=SC2086
    rp $cmd --help | sed -n -E 's/^ {2,8}(-[A-Za-z0-9], )?(--[a-z][a-z0-9-]*).*/\2/p' | LC_ALL=C sort -u >"$cdir/want"
    # shellcheck disable=SC2086
    comp reprint $cmd -- | grep -- '^--' | LC_ALL=C sort -u >"$cdir/got"
    same "complete: every option of $cmd --help" "$cdir/got" "$cdir/want"
done
comp reprint scan --format '' >"$cdir/fmt"
printf 'csv\njson\njsonl\ntsv\n' >"$cdir/fmt.want"
same "complete: --format values" "$cdir/fmt" "$cdir/fmt.want"
comp reprint dedup corpus --keep e >"$cdir/keep"
printf 'earliest\n' >"$cdir/keep.want"
same "complete: --keep values" "$cdir/keep" "$cdir/keep.want"
comp reprint scan corpus/00 >"$cdir/files"
has "complete: file names" "$cdir/files" "corpus/001_092751d03b652b07.txt"

# zsh: the function parses, and offers the same options through compadd
if command -v zsh >/dev/null 2>&1; then
    if zsh -n completions/_reprint; then ok; else bad "complete: zsh syntax"; fi
    PATH="$cdir/bin:$PATH" zsh -f -c '
        compadd() { [[ $1 == -- ]] && shift; print -l -- "$@"; }
        _files() { print _files; }
        _message() { :; }
        _call_program() { shift; eval "$@"; }
        source completions/_reprint 2>/dev/null
        words=(reprint scan --fo); CURRENT=3; PREFIX=--fo; _reprint
        words=(reprint scan --format ""); CURRENT=4; PREFIX=; _reprint
        words=(reprint de); CURRENT=2; PREFIX=de; _reprint
    ' >"$cdir/zsh" 2>"$cdir/zsh.err"
    has "complete: zsh options" "$cdir/zsh" "--format"
    has "complete: zsh --format values" "$cdir/zsh" "tsv"
    has "complete: zsh commands" "$cdir/zsh" "dedup"
else
    echo "t_complete: skipped the zsh case: zsh is not installed"
fi
