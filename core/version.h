/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KTOP_VERSION_H
#define KTOP_VERSION_H

/* git describe of the build, from $(O)/gen/version.c (made by the Makefile
 * on every build, rewritten only when it changes) */
extern const char ktop_version[];

#endif
