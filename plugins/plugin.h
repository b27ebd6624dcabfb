/* SPDX-License-Identifier: MIT */
/* The instance behind a kmaplab_plugin_id_t (private to plugins/). */
#ifndef KMAPLAB_PLUGINS_PLUGIN_H
#define KMAPLAB_PLUGINS_PLUGIN_H

#include <stdbool.h>
#include <stdint.h>

#include "highmem.h"
#include "kmaplab-plugin.h"
#include "policy.h"

struct kmaplab_plugin {
	struct kmap_state *ks;
	char name[64];
	void *dl;                          /* dlopen handle of a shared object */
	struct kmaplab_plugin_info info;
	bool installing;                   /* inside kmaplab_plugin_install */
	const struct kmaplab_policy_ops *ops;
	void *priv;
	const struct kmaplab_sched_ops *sched; /* kmaplab_register_sched(), may stay NULL */
	void *sched_priv;

	/* The guest PC of the kmap that last mapped each pkmap slot, to name
	 * holders in a would-sleep report. */
	uint32_t pkmap_pc[LAST_PKMAP];

	/* KMAPLAB_EVENT_FLUSH_ALL_ZERO_PKMAPS_BEGIN: the cycle it began. */
	bool fazp_open;
	uint64_t fazp_begin;

	policy_symbolize_fn symbolize;
	void *symbolize_arg;
	char message[1536];
};

/* For a built-in policy built on another (nohighmem on linux): runs the
 * base's install on `id` from inside the outer install and hands back the
 * ops and priv it registered, unregistered, so that the outer policy can
 * delegate to them and register its own.  The outer uninstall must call
 * the base's.  Returns 0, or -1 if the base refused (it said why). */
int policy_install_base(kmaplab_plugin_id_t id, kmaplab_plugin_install_fn install, int argc,
			char **argv, const struct kmaplab_policy_ops **ops, void **priv);

#endif
