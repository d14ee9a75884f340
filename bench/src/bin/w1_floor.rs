//! W1 as a floor: `bench/c/w1_c.c` line for line (cmsg(3) style, the same
//! checks and nothing more), in Rust, with the three system calls made
//! inline (x86_64 `syscall`) instead of through glibc's wrappers. No library:
//! it shows what this workload costs in user space when nothing is checked
//! beyond what the C program checks, so that the other rows can be read
//! against it (see BENCHMARKS.md). x86_64 only, like `cargo xtask bench`.

#[path = "../main_std.rs"]
mod main_std;

use libc::{CMSG_DATA, CMSG_FIRSTHDR, CMSG_LEN, CMSG_NXTHDR, c_int, c_long, cmsghdr, iovec, msghdr, ucred};
use rawscm_bench::Check;
use std::mem::{MaybeUninit, size_of, zeroed};

/// CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(struct ucred)) on x86_64.
const SPACE: usize = 24 + 32;

/// A control buffer aligned for `cmsghdr`, as the C program's union (left
/// uninitialised, as there).
#[repr(C, align(8))]
struct Control([u8; SPACE]);

/// `syscall(nr, a, b, c)` for x86_64.
#[cfg(target_arch = "x86_64")]
unsafe fn syscall3(nr: c_long, a: usize, b: usize, c: usize) -> isize {
    let ret: isize;
    // SAFETY: the caller passes a system call and arguments valid for it;
    // the kernel clobbers rcx and r11 only.
    unsafe {
        core::arch::asm!("syscall", inlateout("rax") nr as isize => ret, in("rdi") a, in("rsi") b, in("rdx") c,
            lateout("rcx") _, lateout("r11") _, options(nostack));
    }
    ret
}

struct W1 {
    tx: c_int,
    rx: c_int,
    me: ucred,
}

impl W1 {
    fn new() -> Result<W1, &'static str> {
        let mut sv = [0 as c_int; 2];
        let on: c_int = 1;
        // SAFETY: plain libc calls with valid pointers.
        unsafe {
            if libc::socketpair(libc::AF_UNIX, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0, sv.as_mut_ptr()) != 0
            {
                return Err("socketpair");
            }
            let p = (&on as *const c_int).cast();
            if libc::setsockopt(sv[1], libc::SOL_SOCKET, libc::SO_PASSCRED, p, size_of::<c_int>() as _) != 0 {
                return Err("SO_PASSCRED");
            }
            let me = ucred { pid: libc::getpid(), uid: libc::getuid(), gid: libc::getgid() };
            Ok(W1 { tx: sv[0], rx: sv[1], me })
        }
    }

    fn iteration(&self) -> Check {
        // SAFETY: the C program's steps: every pointer is to a local that
        // lives across the call, and the kernel writes at most the lengths
        // given.
        unsafe {
            let mut out = MaybeUninit::<Control>::uninit();
            let mut byte = b'x';
            let mut iov = iovec { iov_base: (&mut byte as *mut u8).cast(), iov_len: 1 };
            let mut msg: msghdr = zeroed();
            msg.msg_iov = &mut iov;
            msg.msg_iovlen = 1;
            msg.msg_control = out.as_mut_ptr().cast();
            msg.msg_controllen = SPACE as _;
            let c = CMSG_FIRSTHDR(&msg);
            (*c).cmsg_level = libc::SOL_SOCKET;
            (*c).cmsg_type = libc::SCM_RIGHTS;
            (*c).cmsg_len = CMSG_LEN(size_of::<c_int>() as u32) as _;
            CMSG_DATA(c).cast::<c_int>().write_unaligned(self.tx);
            let c = CMSG_NXTHDR(&msg, c);
            (*c).cmsg_level = libc::SOL_SOCKET;
            (*c).cmsg_type = libc::SCM_CREDENTIALS;
            (*c).cmsg_len = CMSG_LEN(size_of::<ucred>() as u32) as _;
            CMSG_DATA(c).cast::<ucred>().write_unaligned(self.me);
            let m = &msg as *const msghdr as usize;
            if syscall3(libc::SYS_sendmsg, self.tx as usize, m, libc::MSG_NOSIGNAL as usize) != 1 {
                return Err("sendmsg");
            }

            let mut input = MaybeUninit::<Control>::uninit();
            msg = zeroed();
            msg.msg_iov = &mut iov;
            msg.msg_iovlen = 1;
            msg.msg_control = input.as_mut_ptr().cast();
            msg.msg_controllen = SPACE as _;
            let m = &mut msg as *mut msghdr as usize;
            if syscall3(libc::SYS_recvmsg, self.rx as usize, m, libc::MSG_CMSG_CLOEXEC as usize) != 1
                || msg.msg_flags & libc::MSG_CTRUNC != 0
            {
                return Err("received message");
            }
            let (mut fds, mut got_creds) = (0, false);
            let mut c: *mut cmsghdr = CMSG_FIRSTHDR(&msg);
            while !c.is_null() {
                if (*c).cmsg_level == libc::SOL_SOCKET {
                    if (*c).cmsg_type == libc::SCM_RIGHTS {
                        let n = ((*c).cmsg_len as usize - CMSG_LEN(0) as usize) / size_of::<c_int>();
                        for i in 0..n {
                            let fd = CMSG_DATA(c).cast::<c_int>().add(i).read_unaligned();
                            syscall3(libc::SYS_close, fd as usize, 0, 0);
                            fds += 1;
                        }
                    } else if (*c).cmsg_type == libc::SCM_CREDENTIALS
                        && (*c).cmsg_len as usize >= CMSG_LEN(size_of::<ucred>() as u32) as usize
                    {
                        let cr = CMSG_DATA(c).cast::<ucred>().read_unaligned();
                        if cr.pid != self.me.pid || cr.uid != self.me.uid || cr.gid != self.me.gid {
                            return Err("credentials");
                        }
                        got_creds = true;
                    }
                }
                c = CMSG_NXTHDR(&msg, c);
            }
            if fds != 1 {
                return Err("descriptors");
            }
            if !got_creds {
                return Err("credentials");
            }
            Ok(())
        }
    }
}

fn main() {
    main_std::main(W1::new().map(|w1| move || w1.iteration()))
}
