/* Test-only stand-in for Windows' bcryptprimitives.dll, which Debian's wine 8 lacks: Rust's standard
 * library takes its random bytes from ProcessPrng there (Windows 10+ ships it). Used only to run the
 * win32-x64 binary under wine in scripts/build-binaries.sh; never shipped. */
#include <windows.h>
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length); /* RtlGenRandom, advapi32 */
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  while (len) {
    ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
    if (!SystemFunction036(data, n)) return FALSE;
    data += n;
    len -= n;
  }
  return TRUE;
}
