/* SPDX-License-Identifier: MIT */
/* The semihosting file sandbox: run with --semihosting-root DIR holding
 * inside.txt and a directory sub/.  A file inside the root reads back; an
 * absolute path, a ".." escape and a symlink out of the root (DIR/escape ->
 * any target outside) are refused; so are opening or removing a directory
 * and renaming.  A file the guest wrote can be removed. */
#include <stdio.h>
#include <string.h>

static int try_open(const char *name)
{
	FILE *f = fopen(name, "r");
	if (!f)
		return 0;
	fclose(f);
	return 1;
}

int main(void)
{
	char buf[64] = { 0 };
	FILE *f = fopen("inside.txt", "r");
	if (!f || !fgets(buf, sizeof(buf), f)) {
		printf("FAIL: cannot read inside.txt\n");
		return 1;
	}
	fclose(f);
	printf("inside.txt: %s", buf);
	if (strcmp(buf, "kmaplab sandbox\n") != 0)
		return 1;
	FILE *w = fopen("written.txt", "w");
	if (!w || fputs("written by the guest\n", w) < 0 || fclose(w)) {
		printf("FAIL: cannot write written.txt\n");
		return 1;
	}
	const char *escapes[] = { "/etc/passwd", "../outside.txt", "sub/../../outside.txt", "escape" };
	int failures = 0;
	for (unsigned i = 0; i < sizeof(escapes) / sizeof(escapes[0]); i++) {
		int opened = try_open(escapes[i]);
		printf("%s: %s\n", escapes[i], opened ? "OPENED (escape!)" : "refused");
		failures += opened;
	}
	printf("sub: %s\n", try_open("sub") ? "OPENED (a directory!)" : "refused");
	failures += try_open("sub");
	printf("remove sub: %s\n", remove("sub") ? "refused" : "REMOVED");
	printf("rename: %s\n", rename("inside.txt", "renamed.txt") ? "refused" : "RENAMED");
	FILE *g = fopen("gone.txt", "w");
	int removed = g && !fclose(g) && !remove("gone.txt") && !try_open("gone.txt");
	printf("remove gone.txt: %s\n", removed ? "removed" : "FAILED");
	return failures || !removed ? 3 : 0;
}
