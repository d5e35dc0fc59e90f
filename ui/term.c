// SPDX-License-Identifier: GPL-2.0
/* Terminal start-up checks and the built-in terminfo fallback (ui/term.h). */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <term.h>
#include <unistd.h>
#include "core/msg.h"
#include "core/sanitize.h"
#include "ui/term.h"

static const char hint[] = "use -b for batch output, or set TERM to a known type such as xterm-256color";

static struct {
	char dir[PATH_MAX];		/* the private TERMINFO directory; "" if none */
	char sub[PATH_MAX];		/* dir/x */
	char file[PATH_MAX];		/* dir/x/xterm-256color */
} priv;

static const struct term_builtin *builtin(const char *name)
{
	const struct term_builtin *b;

	for (b = term_builtins; b->name; b++)
		if (!strcmp(b->name, name))
			return b;
	return NULL;
}

static int has(const char *s, const char *part)
{
	return strstr(s, part) != NULL;
}

static int starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* See term.h. Every terminal emulator in use today that calls itself
 * xterm-something (kitty, ghostty, xterm-direct...), or whose name ends in
 * -256color, speaks xterm's sequences; screen and tmux have their own. */
const char *ui_term_builtin_for(const char *term)
{
	static const char *const xterm_like[] = { "alacritty", "foot", "kitty", "wezterm", "ghostty" };
	int c256 = has(term, "256") || has(term, "direct");
	unsigned i;

	if (builtin(term))
		return term;
	if (starts(term, "screen"))
		return c256 ? "screen-256color" : "screen";
	if (starts(term, "tmux"))
		return c256 ? "tmux-256color" : "tmux";
	if (starts(term, "xterm") || has(term, "-256color") || has(term, "-direct"))
		return "xterm-256color";
	for (i = 0; i < sizeof(xterm_like) / sizeof(xterm_like[0]); i++)
		if (starts(term, xterm_like[i]))
			return "xterm-256color";
	return NULL;
}

/* See term.h. */
void ui_term_cleanup(void)
{
	if (!priv.dir[0])
		return;
	unlink(priv.file);
	rmdir(priv.sub);
	rmdir(priv.dir);
	priv.dir[0] = 0;
}

/* Write entry b where ncurses looks for it under TERMINFO (DIR/x/xterm);
 * sets TERMINFO. Returns 0 or -errno with the failing path in err. */
static int write_builtin(const struct term_builtin *b, char *err, size_t errlen)
{
	const char *tmp = getenv("TMPDIR");
	static int atexit_done;
	size_t off;
	ssize_t n;
	int fd, e;

	if (!tmp || !*tmp)
		tmp = "/tmp";
	if (snprintf(priv.dir, sizeof(priv.dir), "%s/ktop-terminfo.XXXXXX", tmp) >= (int)sizeof(priv.dir) ||
	    !mkdtemp(priv.dir)) {		/* mkdtemp: mode 0700, a new name */
		e = errno ? errno : ENAMETOOLONG;
		snprintf(err, errlen, "cannot create a directory for the built-in terminfo entry %s in %s: %s "
			 "(set TMPDIR to a writable directory, or use -b)", b->name, san(tmp), strerror(e));
		priv.dir[0] = 0;
		return -e;
	}
	if (!atexit_done++)
		atexit(ui_term_cleanup);
	fd = -1;
	errno = ENAMETOOLONG;
	if (snprintf(priv.sub, sizeof(priv.sub), "%s/%c", priv.dir, b->name[0]) >= (int)sizeof(priv.sub) ||
	    snprintf(priv.file, sizeof(priv.file), "%s/%s", priv.sub, b->name) >= (int)sizeof(priv.file) ||
	    mkdir(priv.sub, 0700) ||
	    (fd = open(priv.file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
		goto fail;
	for (off = 0; off < b->len; off += (size_t)n) {
		n = write(fd, b->data + off, b->len - off);
		if (n < 0 && errno == EINTR)
			n = 0;
		else if (n <= 0)
			goto fail;
	}
	if (close(fd)) {
		fd = -1;
		goto fail;
	}
	setenv("TERMINFO", priv.dir, 1);
	return 0;
fail:
	e = errno ? errno : EIO;
	if (fd >= 0)
		close(fd);
	snprintf(err, errlen, "cannot write the built-in terminfo entry %s to %s: %s "
		 "(set TMPDIR to a writable directory, or use -b)", b->name, san(priv.file), strerror(e));
	ui_term_cleanup();
	return -e;
}

/* setupterm() without its messages and without exiting; returns its errret
 * (1 found, 0 not found or generic, -1 no terminfo database). */
static int try_setup(const char *name, int *hardcopy)
{
	int e = 0;

	*hardcopy = 0;
	if (setupterm(name, STDOUT_FILENO, &e) == OK)
		return 1;
	if (e == 1)		/* found, but a hard-copy terminal */
		*hardcopy = 1;
	return e == 1 ? 1 : e;
}

/* See term.h. */
int ui_term_check(char *err, size_t errlen)
{
	const char *term = getenv("TERM"), *alias = NULL;
	const struct term_builtin *b;
	char name[128];
	int found, hardcopy, rc;
	const char *cup;

	if (!term || !*term) {
		snprintf(err, errlen, "TERM is not set, so the dashboard cannot drive this terminal: %s", hint);
		return -EINVAL;
	}
	snprintf(name, sizeof(name), "%s", san(term));
	found = try_setup(term, &hardcopy);
	if (found != 1) {
		alias = ui_term_builtin_for(term);
		if (!alias) {
			snprintf(err, errlen, "unknown terminal type TERM=%s (no terminfo entry for it on "
				 "this host): %s", name, hint);
			return -EINVAL;
		}
		b = builtin(alias);
		rc = write_builtin(b, err, errlen);
		if (rc)
			return rc;
		if (try_setup(alias, &hardcopy) != 1) {
			snprintf(err, errlen, "the built-in terminfo entry %s for TERM=%s did not load: %s",
				 alias, name, hint);
			ui_term_cleanup();
			return -EINVAL;
		}
		if (strcmp(alias, term)) {
			setenv("TERM", alias, 1);
			msg_warn("no terminfo entry for TERM=%s on this host: using the built-in %s", name, alias);
		} else {
			msg_warn("no terminfo entry for TERM=%s on this host: using the built-in one", name);
		}
	}
	cup = hardcopy ? NULL : tigetstr("cup");
	if (cur_term)
		del_curterm(cur_term);
	if (!cup || cup == (char *)-1) {
		snprintf(err, errlen, "TERM=%s cannot move the cursor, so the dashboard cannot draw on it: %s",
			 name, hint);
		ui_term_cleanup();
		return -EINVAL;
	}
	return 0;
}
