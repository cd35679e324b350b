# Writes the bash and zsh completion of authscope from the built tools' own option tables
# (authscope-TOOL --list-options), so it cannot drift from them. Run at build time:
#   cmake -DBIN_DIR=... -DTOOLS=dkim,spf,... -DOUT_BASH=... -DOUT_ZSH=... -P completion.cmake
cmake_minimum_required(VERSION 3.18)
foreach(v BIN_DIR TOOLS OUT_BASH OUT_ZSH)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "completion.cmake: ${v} is not set")
  endif()
endforeach()
string(REPLACE "," ";" TOOLS "${TOOLS}")  # passed comma-separated
list(SORT TOOLS)
string(REPLACE ";" " " tool_words "${TOOLS}")

set(cases "")
set(zsh_tools "")
foreach(tool ${TOOLS})
  execute_process(COMMAND ${BIN_DIR}/authscope-${tool} --list-options
                  OUTPUT_VARIABLE listing RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "completion.cmake: authscope-${tool} --list-options failed (${rc}): ${err}")
  endif()
  string(REPLACE "\n" ";" lines "${listing}")
  set(opts "")
  set(valued "")
  set(formats "")
  foreach(line ${lines})
    if(line STREQUAL "")
      continue()
    endif()
    string(REPLACE "\t" ";" fields "${line}")
    list(GET fields 0 name)
    list(GET fields 1 kind)
    if(NOT name MATCHES "^-[-a-zA-Z0-9]+$")
      message(FATAL_ERROR "completion.cmake: authscope-${tool}: unexpected option '${name}'")
    endif()
    list(APPEND opts ${name})
    if(kind STREQUAL "value")
      list(APPEND valued ${name})
    endif()
    list(LENGTH fields nf)
    if(nf GREATER 2)
      list(GET fields 2 formats)
    endif()
  endforeach()
  string(REPLACE ";" " " opts "${opts}")
  string(REPLACE ";" " " valued "${valued}")
  string(APPEND cases "    ${tool}) _authscope_opts='${opts}' _authscope_valued=' ${valued} ' _authscope_formats='${formats}' ;;\n")
  string(APPEND zsh_tools " authscope-${tool}")
endforeach()

set(bash [=[
# bash completion for authscope and its tools (authscope TOOL ..., authscope-TOOL ...).
# Generated at build time from each tool's own option table (authscope-TOOL --list-options):
# do not edit; rebuild instead.

_authscope_tools='@TOOLS@'

# Sets _authscope_opts, _authscope_valued (options taking a value) and _authscope_formats.
_authscope_options() {
    case $1 in
@CASES@    *) return 1 ;;
    esac
}

# Completes the words of one tool's command line; $1: the tool, $2: the index of its first argument.
_authscope_tool() {
    local tool=$1 first=$2 cur=${COMP_WORDS[COMP_CWORD]} prev=
    [ "$COMP_CWORD" -gt "$first" ] && prev=${COMP_WORDS[COMP_CWORD-1]}
    # "--format=js": bash splits at '=' (COMP_WORDBREAKS), leaving "--format" "=" "js".
    if [ "$prev" = "=" ] && [ "$COMP_CWORD" -gt $((first + 1)) ]; then
        prev=${COMP_WORDS[COMP_CWORD-2]}
    elif [ "$cur" = "=" ]; then
        prev=${COMP_WORDS[COMP_CWORD-1]}
        cur=
    fi
    _authscope_options "$tool" || return 0
    if [ -n "$prev" ] && [[ $_authscope_valued == *" $prev "* ]]; then
        if [ "$prev" = --format ]; then
            COMPREPLY=($(compgen -W "$_authscope_formats" -- "$cur"))
        else
            compopt -o filenames 2>/dev/null
            COMPREPLY=($(compgen -f -- "$cur"))
        fi
        return 0
    fi
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$_authscope_opts" -- "$cur"))
    else
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}

_authscope() {
    COMPREPLY=()
    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "$_authscope_tools --help --version" -- "${COMP_WORDS[1]}"))
        return 0
    fi
    _authscope_tool "${COMP_WORDS[1]}" 2
}
complete -F _authscope authscope

_authscope_direct() {
    COMPREPLY=()
    local cmd=${COMP_WORDS[0]##*/}
    _authscope_tool "${cmd#authscope-}" 1
}
]=])
foreach(tool ${TOOLS})
  string(APPEND bash "complete -F _authscope_direct authscope-${tool}\n")
endforeach()
string(REPLACE "@TOOLS@" "${tool_words}" bash "${bash}")
string(REPLACE "@CASES@" "${cases}" bash "${bash}")
file(WRITE ${OUT_BASH}.tmp "${bash}")
file(RENAME ${OUT_BASH}.tmp ${OUT_BASH})

# zsh: the same functions, through zsh's bash completion emulation.
set(zsh "#compdef authscope${zsh_tools}\n# zsh completion for authscope: the generated bash completion, through bashcompinit.\n")
string(APPEND zsh "autoload -U +X bashcompinit && bashcompinit\n${bash}")
string(APPEND zsh "# zsh calls this file's function for the word being completed.\n")
string(APPEND zsh "if [[ $service == authscope ]]; then _bash_complete -F _authscope; else _bash_complete -F _authscope_direct; fi\n")
file(WRITE ${OUT_ZSH}.tmp "${zsh}")
file(RENAME ${OUT_ZSH}.tmp ${OUT_ZSH})
