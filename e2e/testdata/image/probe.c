/*
 * probe prints its effective uid. The test image installs it setuid root
 * (mode 4755): run as a non-root user it prints euid=0 unless the container
 * has no-new-privileges, which makes the kernel ignore the setuid bit.
 */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	printf("euid=%d\n", (int)geteuid());
	return 0;
}
