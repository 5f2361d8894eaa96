/* A ProcessPrng for wine < 9, which has no bcryptprimitives.dll. Go >= 1.21.x's Windows runtime loads
 * ProcessPrng from it at start-up and dies without it. `envbuilder verify` builds this with the image's
 * mingw into its throwaway wine prefix only, to run probes; nothing of it reaches a build output. */
#include <windows.h>
#define SystemFunction036 NTAPI SystemFunction036
#include <ntsecapi.h>
#undef SystemFunction036

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) { return RtlGenRandom(data, (ULONG)len); }
