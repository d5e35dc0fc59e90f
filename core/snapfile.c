// SPDX-License-Identifier: GPL-2.0
/* Safe snapshot files: exclusive temp file, fsync, link to a fresh name. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "core/recorder.h"
#include "core/snapfile.h"

/* See snapfile.h. */
FILE *snapfile_tmp(const char *dir, char *tmp, size_t n)
{
	FILE *f;
	int fd, e;

	snprintf(tmp, n, "%s/.ktop-snapshot-XXXXXX", dir);
	fd = mkostemp(tmp, O_CLOEXEC);		/* O_EXCL, mode 0600 */
	if (fd < 0)
		return NULL;
	f = fdopen(fd, "w");
	if (!f) {
		e = errno;
		close(fd);
		unlink(tmp);
		errno = e;
	}
	return f;
}

/* See snapfile.h. */
int snapfile_close(FILE *f, const char *tmp)
{
	int err = 0;

	if (fflush(f) || ferror(f))
		err = -(errno ? errno : EIO);
	else if (fsync(fileno(f)))
		err = -errno;
	if (fclose(f) && !err)
		err = -(errno ? errno : EIO);
	if (err)
		unlink(tmp);
	return err;
}

/* Write one file through a temporary name; returns 0 or -errno. */
static int write_tmp(const char *dir, const struct ktop_snapshot *s, const struct ktop_view *v,
		     int kind, char *tmp, size_t n)
{
	FILE *f;
	int err;

	errno = 0;
	f = snapfile_tmp(dir, tmp, n);
	if (!f)
		return -errno;
	if (kind == 0) {
		err = out_json_write(f, s, v);
		fputc('\n', f);
	} else if (kind == 1) {
		err = out_text_write(f, s);
	} else {
		err = recorder__write(recorder_live, f, "w", -1, NULL);
	}
	if (err) {
		fclose(f);
		unlink(tmp);
		return err;
	}
	return snapfile_close(f, tmp);
}

/* See snapfile.h. */
int snapfile_link(const char *dir, int64_t real_ns, const char *tag, int k,
		  char (*tmps)[4096], const char *const *exts, char *path, size_t n)
{
	char base[4096], p[4200];
	time_t now = (time_t)(real_ns / 1000000000);
	struct tm tm;
	char stamp[32];
	int err = 0, i, j;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	for (i = 0; i < 1000; i++) {
		int b = snprintf(base, sizeof(base), "%s/ktop-%s%s%s", dir, stamp, tag ? "-" : "",
				 tag ? tag : "");

		if (i)
			snprintf(base + b, sizeof(base) - b, "-%d", i);
		for (j = 0; j < k; j++) {
			snprintf(p, sizeof(p), "%s%s", base, exts[j]);
			/* link() never follows or replaces an existing name */
			if (link(tmps[j], p)) {
				err = -errno;
				break;
			}
		}
		if (j == k) {
			err = 0;
			break;
		}
		while (j-- > 0) {		/* all or none */
			snprintf(p, sizeof(p), "%s%s", base, exts[j]);
			unlink(p);
		}
		if (err != -EEXIST)
			break;
	}
	if (i == 1000)
		err = -EEXIST;
	for (j = 0; j < k; j++)
		unlink(tmps[j]);
	if (err) {
		snprintf(path, n, "%s: %s", dir, strerror(-err));
		return err;
	}
	snprintf(path, n, "%s%s", base, exts[0]);
	return 0;
}

/* See snapfile.h. */
int snapfile_write(const char *dir, const struct ktop_snapshot *s, const struct ktop_view *v,
		   char *path, size_t n)
{
	static const char *const exts[] = { ".json", ".txt", ".ndjson" };
	char tmps[3][4096];
	int err = 0, k;

	if (!dir)
		dir = ".";
	for (k = 0; k < (recorder__kept(recorder_live) ? 3 : 2); k++) {
		err = write_tmp(dir, s, v, k, tmps[k], sizeof(tmps[k]));
		if (err)
			break;
	}
	if (err) {
		while (k-- > 0)
			unlink(tmps[k]);
		snprintf(path, n, "%s: %s", dir, strerror(-err));
		return err;
	}
	return snapfile_link(dir, s->real_ns, NULL, k, tmps, exts, path, n);
}
