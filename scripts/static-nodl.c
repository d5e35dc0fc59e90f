// SPDX-License-Identifier: GPL-2.0
/*
 * Linked into the static build only (make static): a static binary must never
 * load a shared object. glibc's dlopen() in a static program loads a second,
 * shared libc of whatever version the host has, which breaks as soon as it
 * differs from the one linked in (glibc warns about it at link time). The
 * one caller in ktop's link is libdw's debuginfod client, which would try
 * libdebuginfod.so when a module has no local debug info; without it libdw
 * just finds no debuginfod server, as on a host without that package.
 * The static link passes -Wl,--wrap=dlopen (and dlsym, dlclose, dlerror), so
 * every call to them from the linked libraries lands here instead (glibc's
 * own internal uses, for NSS and iconv modules, which ktop never needs, are
 * not affected); this also keeps the link free of glibc's warning.
 */
#include <stddef.h>

void *__wrap_dlopen(const char *file, int mode);
void *__wrap_dlsym(void *handle, const char *name);
int __wrap_dlclose(void *handle);
char *__wrap_dlerror(void);

static int tried;

void *__wrap_dlopen(const char *file, int mode)
{
	(void)file;
	(void)mode;
	tried = 1;
	return NULL;
}

void *__wrap_dlsym(void *handle, const char *name)
{
	(void)handle;
	(void)name;
	tried = 1;
	return NULL;
}

int __wrap_dlclose(void *handle)
{
	(void)handle;
	return 0;
}

char *__wrap_dlerror(void)
{
	static char why[] = "this static build of ktop loads no shared libraries";

	if (!tried)
		return NULL;
	tried = 0;
	return why;
}
