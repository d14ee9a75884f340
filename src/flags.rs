//! The flag-set newtypes ([`SocketFlags`](crate::SocketFlags),
//! [`SendFlags`](crate::SendFlags), [`RecvFlags`](crate::RecvFlags)): one
//! definition of their shared shape.

/// Defines a `u32` flag set with named flags, a safe default, `empty()` to
/// opt out of it, `contains`, and `|`.
macro_rules! flag_set {
    (
        $(#[$doc:meta])*
        $name:ident, default: $default:ident, empty: $empty_doc:literal,
        { $($(#[$fdoc:meta])* $flag:ident = $value:expr;)+ }
    ) => {
        $(#[$doc])*
        #[derive(Copy, Clone, Debug, PartialEq, Eq)]
        pub struct $name(pub(crate) u32);

        impl $name {
            $($(#[$fdoc])* pub const $flag: $name = $name($value);)+

            #[doc = concat!("No flags: ", $empty_doc, ".")]
            ///
            /// ```
            #[doc = concat!("use rawscm::", stringify!($name), ";")]
            #[doc = concat!("assert!(!", stringify!($name), "::empty().contains(", stringify!($name), "::", stringify!($default), "));")]
            /// ```
            pub const fn empty() -> Self {
                $name(0)
            }

            /// Whether all of `other` is set.
            ///
            /// ```
            #[doc = concat!("use rawscm::", stringify!($name), ";")]
            #[doc = concat!("assert!(", stringify!($name), "::default().contains(", stringify!($name), "::", stringify!($default), "));")]
            /// ```
            pub const fn contains(self, other: Self) -> bool {
                self.0 & other.0 == other.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                $name::$default
            }
        }

        impl core::ops::BitOr for $name {
            type Output = Self;
            fn bitor(self, rhs: Self) -> Self {
                $name(self.0 | rhs.0)
            }
        }
    };
}
pub(crate) use flag_set;
