/* SPDX-License-Identifier: MIT */
/* Doubly linked lists in guest memory (see list.h). */
#include "list.h"

#include "kdata.h"

void INIT_LIST_HEAD(struct kmap_state *ks, uint32_t head)
{
	kpoke32(ks, head + LIST_OFF_NEXT, head);
	kpoke32(ks, head + LIST_OFF_PREV, head);
}

/* __list_add(new, head->prev, head) */
void list_add_tail(struct kmap_state *ks, uint32_t entry, uint32_t head)
{
	uint32_t prev = kread32(ks, head + LIST_OFF_PREV);
	kwrite32(ks, head + LIST_OFF_PREV, entry);
	kwrite32(ks, entry + LIST_OFF_NEXT, head);
	kwrite32(ks, entry + LIST_OFF_PREV, prev);
	kwrite32(ks, prev + LIST_OFF_NEXT, entry);
}

void list_del(struct kmap_state *ks, uint32_t entry)
{
	uint32_t next = kread32(ks, entry + LIST_OFF_NEXT);
	uint32_t prev = kread32(ks, entry + LIST_OFF_PREV);
	kwrite32(ks, next + LIST_OFF_PREV, prev);
	kwrite32(ks, prev + LIST_OFF_NEXT, next);
	kwrite32(ks, entry + LIST_OFF_NEXT, LIST_POISON1);
	kwrite32(ks, entry + LIST_OFF_PREV, LIST_POISON2);
}
