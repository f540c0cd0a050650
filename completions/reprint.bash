# bash completion for reprint(1) -*- shell-script -*-
#
# The commands and options are read from the program's own --help (the
# list the manual is tested against), so the completion cannot drift from
# the program; only the values of a few options are listed here.
# Installed by `make install` as share/bash-completion/completions/reprint.

_reprint_help_opts() {
    # the long and short options of `reprint ARGS --help`, one per line
    "$1" "${@:2}" --help 2>/dev/null |
        sed -n -E 's/^ {2,8}((-[A-Za-z0-9]), )?(--[a-z][a-z0-9-]*)(\[=[A-Z]+\])?.*/\2 \3/p' |
        tr ' ' '\n' | sed '/^$/d'
}

_reprint() {
    local cur prev prog=${COMP_WORDS[0]}
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD - 1]}
    COMPREPLY=()
    if [ "$COMP_CWORD" -eq 1 ]; then
        local cmds
        cmds=$("$prog" --help 2>/dev/null | sed -n -E 's/^  ([a-z]+) +.*/\1/p')
        mapfile -t COMPREPLY < <(compgen -W "$cmds --help --version" -- "$cur")
        return
    fi
    local cmd=(${COMP_WORDS[1]})
    if [ "${COMP_WORDS[1]}" = index ]; then
        if [ "$COMP_CWORD" -eq 2 ]; then
            local subs
            subs=$("$prog" index --help 2>/dev/null | sed -n -E 's/^  ([a-z]+) .*/\1/p')
            mapfile -t COMPREPLY < <(compgen -W "$subs --help" -- "$cur")
            return
        fi
        cmd=(index "${COMP_WORDS[2]}")
    fi
    case $prev in
    --format) mapfile -t COMPREPLY < <(compgen -W "jsonl json tsv csv" -- "$cur"); return ;;
    --keep) mapfile -t COMPREPLY < <(compgen -W "representative first longest earliest" -- "$cur"); return ;;
    --sort) mapfile -t COMPREPLY < <(compgen -W "input size id" -- "$cur"); return ;;
    --input) mapfile -t COMPREPLY < <(compgen -W "auto jsonl nul text" -- "$cur"); return ;;
    --color | --colour) mapfile -t COMPREPLY < <(compgen -W "auto always never" -- "$cur"); return ;;
    -t | --threshold | -k | --shingle | --hashes | --lsh-threshold | --bands | --rows | \
        --min-shared | --furniture-df | --max-bytes | -j | --threads | --min-size | \
        --min-run | --batch | --sample-bits | --busy-timeout | --fields | --date-field | \
        --id-field | --text-field | --include | --exclude | --prefer)
        return ;;
    esac
    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$(_reprint_help_opts "$prog" "${cmd[@]}")" -- "$cur")
        return
    fi
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    compopt -o filenames 2>/dev/null
}
complete -F _reprint reprint
