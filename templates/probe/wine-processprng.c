/* A ProcessPrng for wine < 9, which has no bcryptprimitives.dll. The Windows runtime of Go 1.21.x and later
 * loads ProcessPrng from it at start-up and dies without it. `envbuilder verify` copies it into its throwaway
 * wine prefix (built with the mingw of the environment, or prebuilt in the verify-runner image) only to run
 * probes; nothing of it reaches a build output. */
#include <windows.h>
#define SystemFunction036 NTAPI SystemFunction036
#include <ntsecapi.h>
#undef SystemFunction036

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) { return RtlGenRandom(data, (ULONG)len); }
