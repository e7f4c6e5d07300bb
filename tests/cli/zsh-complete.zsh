# zsh tests/cli/zsh-complete.zsh FPATH-DIR LINE: the candidates zsh's completion
# system lists for LINE followed by a tab, in an interactive zsh on a pseudo
# terminal (zsh/zpty) with FPATH-DIR first in $fpath; one a line, the first
# word of each listed entry. Used by t195-cli-help-man.sh.
zmodload zsh/zpty
zpty -b z 'zsh -f -i'
zpty -w z "PS1='%% '; fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -D; setopt autolist nolistambiguous nobeep; LISTMAX=1000; zstyle ':completion:*' list-separator '--'; print READY"
out=
for i in {1..100}; do
	zpty -r -t z chunk && out+=$chunk
	[[ $out == *$'\nREADY'* ]] && break
	sleep 0.1
done
zpty -w -n z "$2"$'\t'
out=
for i in {1..100}; do
	zpty -r -t z chunk && out+=$chunk
	# the listing ends with the prompt and the line again
	[[ $out == *$'\n% '"$2"* ]] && break
	sleep 0.1
done
zpty -d z
out=${out//$'\r'/}
out=${out//$'\e'\[\?2004[hl]/}
lines=("${(@f)out}")
for l in $lines[2,-2]; do
	for w in ${=l}; do
		[[ $w == -- ]] && break
		print -r -- $w
	done
done
