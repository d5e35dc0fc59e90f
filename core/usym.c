// SPDX-License-Identifier: GPL-2.0
/* User-space symbolizer for one process (elfutils libdwfl), and ELF symbol lookups (libelf). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <libelf.h>
#include "core/usym.h"

struct usym {
	Dwfl *dwfl;
	uint32_t pid;
};

static char *debuginfo_path;

static const Dwfl_Callbacks proc_callbacks = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.debuginfo_path = &debuginfo_path,
};

static int report(Dwfl *d, uint32_t pid)
{
	int err;

	dwfl_report_begin(d);
	err = dwfl_linux_proc_report(d, (pid_t)pid);
	if (dwfl_report_end(d, NULL, NULL) != 0 && !err)
		err = -EINVAL;
	if (err > 0)
		err = -err;		/* libdwfl returns a positive errno */
	return err;
}

/* See usym.h. */
int usym__open(struct usym **out, uint32_t pid)
{
	struct usym *u = calloc(1, sizeof(*u));
	int err;

	if (!u)
		return -ENOMEM;
	u->pid = pid;
	u->dwfl = dwfl_begin(&proc_callbacks);
	if (!u->dwfl) {
		free(u);
		return -ENOMEM;
	}
	err = report(u->dwfl, pid);
	if (err) {
		usym__free(u);
		return err;
	}
	*out = u;
	return 0;
}

/* See usym.h. */
int usym__refresh(struct usym *u)
{
	return report(u->dwfl, u->pid);
}

/* See usym.h. */
void usym__free(struct usym *u)
{
	if (!u)
		return;
	if (u->dwfl)
		dwfl_end(u->dwfl);
	free(u);
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* See usym.h. */
int usym__fmt(struct usym *u, uint64_t addr, bool ret_addr, char *sym, size_t n,
	      char *src, size_t srcn)
{
	GElf_Addr lookup = ret_addr && addr ? addr - 1 : addr;
	Dwfl_Module *m = dwfl_addrmodule(u->dwfl, lookup);
	const char *name, *mname, *file;
	Dwarf_Addr low = 0;
	GElf_Off off = 0;
	GElf_Sym s;
	Dwfl_Line *line;
	int lineno = 0;

	if (srcn)
		src[0] = 0;
	if (!m) {
		snprintf(sym, n, "0x%llx", (unsigned long long)addr);
		return -ENOENT;
	}
	name = dwfl_module_addrinfo(m, lookup, &off, &s, NULL, NULL, NULL);
	if (name && name[0]) {
		snprintf(sym, n, "%s+0x%llx", name, (unsigned long long)(off + (addr - lookup)));
	} else {
		mname = dwfl_module_info(m, NULL, &low, NULL, NULL, NULL, NULL, NULL);
		snprintf(sym, n, "%s+0x%llx", mname ? base_name(mname) : "?",
			 (unsigned long long)(addr - low));
	}
	line = dwfl_module_getsrc(m, lookup);
	if (line && srcn) {
		file = dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL);
		if (file && lineno > 0)
			snprintf(src, srcn, "%s:%d", base_name(file), lineno);
	}
	return name && name[0] ? 0 : -ENOENT;
}

/* See usym.h. */
int usym_elf_defines(void *buf, size_t len, const char *name)
{
	Elf_Scn *scn = NULL;
	int found = 0;
	size_t symsz;
	Elf *e;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	e = elf_memory(buf, len);
	if (!e)
		return -EINVAL;
	if (elf_kind(e) != ELF_K_ELF) {
		elf_end(e);
		return -EINVAL;
	}
	symsz = gelf_fsize(e, ELF_T_SYM, 1, EV_CURRENT);
	while (!found && symsz && (scn = elf_nextscn(e, scn))) {
		Elf_Data *data = NULL;
		GElf_Shdr sh;
		size_t i, count;

		if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM))
			continue;
		data = elf_getdata(scn, NULL);
		if (!data || !data->d_buf)
			continue;
		count = data->d_size / symsz;
		for (i = 0; i < count && !found; i++) {
			const char *sname;
			GElf_Sym sym;
			int type, bind;

			if (!gelf_getsym(data, (int)i, &sym))
				break;
			type = GELF_ST_TYPE(sym.st_info);
			bind = GELF_ST_BIND(sym.st_info);
			if (sym.st_shndx == SHN_UNDEF || (type != STT_FUNC && type != STT_GNU_IFUNC) ||
			    (bind != STB_GLOBAL && bind != STB_WEAK))
				continue;
			sname = elf_strptr(e, sh.sh_link, sym.st_name);
			if (sname && !strcmp(sname, name))
				found = 1;
		}
	}
	elf_end(e);
	return found;
}

/* See usym.h. */
int usym_file_defines(const char *path, const char *name)
{
	struct stat st;
	void *p;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0) {
		close(fd);
		return -EINVAL;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -errno;
	r = usym_elf_defines(p, (size_t)st.st_size, name);
	munmap(p, (size_t)st.st_size);
	return r;
}
