# SPDX-License-Identifier: MIT
# bash completion for cfconform. Subcommands and options are read from
# `cfconform --help` and `cfconform SUB --help` when completing, so they are
# always those of the installed version (the --help text is printed from the
# same option tables as the parser uses). Installed as
# share/bash-completion/completions/cfconform.
_cfconform() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    local exe=${COMP_WORDS[0]}
    if [ "$COMP_CWORD" -eq 1 ]; then
        local subs
        subs=$("$exe" --help 2>/dev/null | sed -n 's/^\(usage:\)\? *cfconform \([a-z][a-z-]*\).*/\2/p' | sort -u)
        COMPREPLY=($(compgen -W "$subs --help --version" -- "$cur"))
        return
    fi
    local sub=${COMP_WORDS[1]}
    case $sub in
    explain)
        if [ "$COMP_CWORD" -eq 2 ]; then
            COMPREPLY=($(compgen -W "$("$exe" rules 2>/dev/null | cut -d' ' -f1)" -- "$cur"))
            return
        fi ;;
    esac
    case $prev in
    --format | --color | --fail-on)
        # The values are the placeholder's alternatives: --format text|json|...
        local alts
        alts=$("$exe" "$sub" --help 2>/dev/null | sed -n "s/^  $prev \([^ ]*|[^ ]*\).*/\1/p" | head -1)
        COMPREPLY=($(compgen -W "${alts//|/ }" -- "$cur"))
        return ;;
    --config | --record | --labels | --catalogue | --report-dir | --out)
        COMPREPLY=($(compgen -f -- "$cur"))
        return ;;
    esac
    if [[ $cur == -* ]]; then
        local opts
        opts=$("$exe" "$sub" --help 2>/dev/null | sed -n 's/^  \(--[a-z][a-z-]*\).*/\1/p' | sort -u)
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return
    fi
    COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -F _cfconform cfconform
