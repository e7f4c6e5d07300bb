/* cmd_check.c: `govgate check` (being written). */
#include "cmd.h"
#include <stdio.h>

int cmd_check(int argc, char **argv)
{
	fprintf(stderr, "govgate: check: not built yet\n");
	return 2;
}

int cmd_policy(int argc, char **argv)
{
	fprintf(stderr, "govgate: policy: not built yet\n");
	return 2;
}
