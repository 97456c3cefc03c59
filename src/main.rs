fn main() -> std::process::ExitCode {
    return_large_blocks_to_the_system();
    cowork::cli::run()
}

/// Makes glibc serve blocks of 64 KiB and more from their own mappings, so freeing them
/// returns the memory to the system.
///
/// Each new chat connection receives the list of everyone online, which for a class of
/// thousands is a block of hundreds of kilobytes. With glibc's default, which raises
/// its mapping threshold after such blocks are freed, later ones came from the heap, and
/// the heap stayed at its peak after a class connected. See BENCHMARKS.md, WebSocket
/// fan-out, runs 3 and 4.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn return_large_blocks_to_the_system() {
    const THRESHOLD_BYTES: libc::c_int = 64 * 1024;
    // SAFETY: mallopt only changes allocator settings; it runs before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, THRESHOLD_BYTES);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn return_large_blocks_to_the_system() {}
