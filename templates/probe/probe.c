/* envbuilder C probe: a target's C compiler must compile and link this. */
#include <stdio.h>

int main(void) {
	printf("envbuilder-c-probe\n");
	return 0;
}
