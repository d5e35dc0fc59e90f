# Sourced by every test runner: the suite never depends on the caller's
# locale, terminal, time zone, PATH extras or home directory (a user's
# ~/.tmux.conf, for one, would change what the dashboard tests see).
# Tests that need another locale or TERM set it for the one command.
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC TERM=xterm
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
KTOP_TEST_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build/test-home
mkdir -p "$KTOP_TEST_HOME"
export HOME=$KTOP_TEST_HOME
unset TMUX LANGUAGE
# tmux: a private server (socket under the test home), never the caller's, and
# a session that lives as long as this runner, so the server does not exit
# between two tests (a new-session racing the exit of the server fails).
if [ -z "${TMUX_TMPDIR:-}" ]; then
	export TMUX_TMPDIR=$KTOP_TEST_HOME/tmux
	mkdir -p "$TMUX_TMPDIR"
	if command -v tmux >/dev/null; then
		tmux has-session -t keepalive-$$ 2>/dev/null ||
			tmux new-session -d -s keepalive-$$ "while kill -0 $$ 2>/dev/null; do sleep 1; done"
	fi
fi
