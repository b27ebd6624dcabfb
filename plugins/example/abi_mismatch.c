/* SPDX-License-Identifier: MIT */
/* A test fixture, not an example: a policy built for another plugin ABI
 * version.  kmaplab must refuse to load it, with one line saying which
 * versions differ, before calling anything in it (exit status 64). */
#include "kmaplab-plugin.h"

KMAPLAB_PLUGIN_EXPORT const uint32_t kmaplab_plugin_abi_version = KMAPLAB_PLUGIN_ABI_VERSION + 1;

KMAPLAB_PLUGIN_EXPORT int kmaplab_plugin_install(kmaplab_plugin_id_t id,
						 const struct kmaplab_plugin_info *info, int argc,
						 char **argv)
{
	(void)info;
	(void)argc;
	(void)argv;
	kmaplab_warn(id, "abi_mismatch: installed although its ABI version differs");
	return -1;
}
