/* SPDX-License-Identifier: MIT */
/* The host side of the policy plugin ABI (kmaplab-plugin.h): loading a
 * policy, and serving the guest's hypercalls with it and with mm/.
 *
 * What the emulator does:
 *
 *   mm: layout_init, paging_init, tlb_create, ...   (as today)
 *   ks = kmap_init(&mm, &cfg, err, len);             mm/highmem.h
 *   ks->trace = &sink; ks->trace_arg = ...;          optional, mm/trace.h
 *   p = policy_load(ks, "linux", argc, argv, err, len);
 *   policy_set_symbolizer(p, fn, arg);              optional
 *   ... run; on every hypercall SVC:
 *	st = kmaplab_hypercall(p, r12, (uint32_t[4]){r0, r1, r2, r3}, pc, &r0);
 *	HC_DONE: write r0 and go on; otherwise stop the run with
 *	policy_message(p) (HC_STOP_BUG -> STOP_KERNEL_BUG,
 *	HC_STOP_WOULD_SLEEP -> STOP_WOULD_SLEEP, HC_BAD_CALL -> STOP_BAD_CALL).
 *   policy_unload(p); kmap_free(ks);
 *
 * kmaplab_hypercall() serves every number in guest-tests/kmaplab/
 * hypercall.h and charges core_costs.hypercall once per call (the emulator
 * must not charge it again). */
#ifndef KMAPLAB_PLUGINS_POLICY_H
#define KMAPLAB_PLUGINS_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "highmem.h"
#include "kmaplab-plugin.h"

enum hc_status {
	HC_DONE = 0,         /* result in *ret */
	HC_STOP_BUG,         /* a kernel BUG: stop the run with policy_message() */
	HC_STOP_WOULD_SLEEP, /* would sleep forever: stop with policy_message() */
	HC_BAD_CALL,         /* unknown number or selector, or a call the policy lacks */
};

typedef const char *(*policy_symbolize_fn)(void *arg, uint32_t va, char *buf, size_t len);

/* One built-in policy.  `arg` non-NULL: NAME:ARG is NAME,n=ARG
 * ("flushall:32"); `arg` names it in messages ("N"). */
struct builtin_policy {
	const char *name;
	const char *arg;
	const char *description;
	kmaplab_plugin_install_fn install;
};
/* The built-in policies, ending with a { NULL } entry. */
extern const struct builtin_policy builtin_policies[];

/* Loads `name` -- a built-in policy's name (or NAME:N, see above), or a
 * path to a shared object (anything with a '/' or ending in ".so") -- and
 * runs its install with argv (the "key=value" options; argv[0] is NOT the
 * name).  Returns the instance, or NULL with a one-line reason in err
 * (the caller says which --policy it was about). */
struct kmaplab_plugin *policy_load(struct kmap_state *ks, const char *name, int argc,
				   char **argv, char *err, size_t errlen);

/* Splits "NAME[,key=value]..." (the --policy argument) and loads it. */
struct kmaplab_plugin *policy_load_spec(struct kmap_state *ks, const char *spec, char *err,
					size_t errlen);

void policy_unload(struct kmaplab_plugin *p);

/* A context switch on the running CPU: the policy's sched_out of the task
 * leaving and sched_in of the task entering (kmaplab_register_sched). */
void policy_sched_out(struct kmaplab_plugin *p, uint32_t task);
void policy_sched_in(struct kmaplab_plugin *p, uint32_t task);

const char *policy_name(const struct kmaplab_plugin *p);

/* Lets stop messages name guest code ("kmap called at main+0x24"). */
void policy_set_symbolizer(struct kmaplab_plugin *p, policy_symbolize_fn fn, void *arg);

/* Serves hypercall `nr` with arguments r0-r3 from the SVC at `pc`. */
enum hc_status kmaplab_hypercall(struct kmaplab_plugin *p, uint32_t nr, const uint32_t args[4],
				 uint32_t pc, uint32_t *ret);

/* Answers HC_KERNEL_INFO (guest-tests/kmaplab/hypercall.h) for selector
 * `which`.  Returns 0 and sets *val, or -1 for an unknown selector. */
int kmap_kernel_info(const struct kmap_state *ks, uint32_t which, uint32_t *val);

/* The stop message after a status other than HC_DONE (one line). */
const char *policy_message(const struct kmaplab_plugin *p);

/* The kernel state the policy runs on. */
struct kmap_state *policy_kernel(const struct kmaplab_plugin *p);

#endif
