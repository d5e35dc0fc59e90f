// SPDX-License-Identifier: GPL-2.0
/* Safe snapshot files: exclusive temp file, fsync, link to a fresh name. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "core/snapfile.h"

/* Write one file through a temporary name; returns 0 or -errno. */
static int write_tmp(const char *dir, const struct ktop_snapshot *s, const struct ktop_view *v,
		     int json, char *tmp, size_t n)
{
	FILE *f;
	int fd, err = 0;

	snprintf(tmp, n, "%s/.ktop-snapshot-XXXXXX", dir);
	fd = mkostemp(tmp, O_CLOEXEC);		/* O_EXCL, mode 0600 */
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		unlink(tmp);
		return err;
	}
	if (json) {
		err = out_json_write(f, s, v);
		fputc('\n', f);
	} else {
		err = out_text_write(f, s);
	}
	if (fflush(f) || ferror(f))
		err = -(errno ? errno : EIO);
	else if (fsync(fd))
		err = -errno;
	if (fclose(f) && !err)
		err = -(errno ? errno : EIO);
	if (err)
		unlink(tmp);
	return err;
}

/* See snapfile.h. */
int snapfile_write(const char *dir, const struct ktop_snapshot *s, const struct ktop_view *v,
		   char *path, size_t n)
{
	char tj[4096], tt[4096], base[4096], pj[4200], pt[4200];
	time_t now = (time_t)(s->real_ns / 1000000000);
	struct tm tm;
	char stamp[32];
	int err, i;

	if (!dir)
		dir = ".";
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	err = write_tmp(dir, s, v, 1, tj, sizeof(tj));
	if (err) {
		snprintf(path, n, "%s: %s", dir, strerror(-err));
		return err;
	}
	err = write_tmp(dir, s, v, 0, tt, sizeof(tt));
	if (err) {
		unlink(tj);
		snprintf(path, n, "%s: %s", dir, strerror(-err));
		return err;
	}
	for (i = 0; i < 1000; i++) {
		if (i)
			snprintf(base, sizeof(base), "%s/ktop-%s-%d", dir, stamp, i);
		else
			snprintf(base, sizeof(base), "%s/ktop-%s", dir, stamp);
		snprintf(pj, sizeof(pj), "%s.json", base);
		snprintf(pt, sizeof(pt), "%s.txt", base);
		/* link() never follows or replaces an existing name */
		if (link(tj, pj)) {
			if (errno == EEXIST)
				continue;
			err = -errno;
			break;
		}
		if (link(tt, pt)) {
			err = -errno;
			unlink(pj);
			if (err == -EEXIST) {
				err = 0;
				continue;
			}
			break;
		}
		err = 0;
		break;
	}
	if (i == 1000)
		err = -EEXIST;
	unlink(tj);
	unlink(tt);
	if (err) {
		snprintf(path, n, "%s: %s", dir, strerror(-err));
		return err;
	}
	snprintf(path, n, "%s", pj);
	return 0;
}
