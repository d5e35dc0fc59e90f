/* SPDX-License-Identifier: GPL-2.0 */
/* The collectors' loader helpers, by room: probing and flavour choice
 * (probe.c), load-error lines (loaderr.c), map I/O (mapio.c), command
 * names (comm.c). */
#ifndef KTOP_BPFUTIL_H
#define KTOP_BPFUTIL_H
#include "core/comm.h"
#include "core/loaderr.h"
#include "core/mapio.h"
#include "core/probe.h"

#endif
