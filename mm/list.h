/* SPDX-License-Identifier: MIT */
/* include/linux/list.h on lists that live in guest memory: a list_head is
 * { next, prev } (two guest pointers, 8 bytes), and every pointer followed
 * or stored is a charged kernel-data access (mm/kdata.h). */
#ifndef KMAPLAB_MM_LIST_H
#define KMAPLAB_MM_LIST_H

#include <stdint.h>

#include "kdata.h"

#define LIST_HEAD_SIZE 8u
#define LIST_OFF_NEXT 0u
#define LIST_OFF_PREV 4u
/* include/linux/poison.h with POISON_POINTER_DELTA 0 (ARM). */
#define LIST_POISON1 0x00000100u
#define LIST_POISON2 0x00000122u

/* Uncharged: set-up code (page_address_init). */
void INIT_LIST_HEAD(struct kmap_state *ks, uint32_t head);

void list_add_tail(struct kmap_state *ks, uint32_t entry, uint32_t head);
/* Unlinks `entry` and poisons its pointers, as list_del() does. */
void list_del(struct kmap_state *ks, uint32_t entry);

static inline uint32_t list_next(struct kmap_state *ks, uint32_t entry)
{
	return kread32(ks, entry + LIST_OFF_NEXT);
}

#endif
