//! The flag-set newtypes ([`SocketFlags`](crate::SocketFlags),
//! [`SendFlags`](crate::SendFlags), [`RecvFlags`](crate::RecvFlags),
//! [`MountFlags`](crate::init::MountFlags)): one definition of their shared
//! shape.

/// Defines a `u32` flag set with named flags, `empty()`, `contains`, `|`
/// and a `Default`.
///
/// Two forms:
/// - `Name, default: FLAG, empty: "what empty() gives up", { ... }`: the
///   default is a safe flag, and `empty()` opts out of it;
/// - `Name in "path::to::module", no default, { ... }`: the default is
///   `empty()`; the doc examples use the first flag.
macro_rules! flag_set {
    (
        $(#[$doc:meta])*
        $name:ident, default: $default:ident, empty: $empty_doc:literal,
        { $($(#[$fdoc:meta])* $flag:ident = $value:expr;)+ }
    ) => {
        $crate::flags::flag_set! {
            @define $(#[$doc])* $name, "rawscm", $default,
            concat!("No flags: ", $empty_doc, "."),
            concat!(stringify!($name), "::default()"),
            { $($(#[$fdoc])* $flag = $value;)+ }
        }

        impl Default for $name {
            fn default() -> Self {
                $name::$default
            }
        }
    };
    (
        $(#[$doc:meta])*
        $name:ident in $path:literal, no default,
        { $(#[$first_doc:meta])* $first:ident = $first_value:expr; $($(#[$fdoc:meta])* $flag:ident = $value:expr;)* }
    ) => {
        $crate::flags::flag_set! {
            @define $(#[$doc])* $name, $path, $first,
            "No flags (also the default).",
            concat!(stringify!($name), "::", stringify!($first)),
            { $(#[$first_doc])* $first = $first_value; $($(#[$fdoc])* $flag = $value;)* }
        }

        impl Default for $name {
            /// No flags.
            fn default() -> Self {
                $name::empty()
            }
        }
    };
    (
        @define $(#[$doc:meta])* $name:ident, $path:expr, $example:ident, $empty_doc:expr, $holder:expr,
        { $($(#[$fdoc:meta])* $flag:ident = $value:expr;)+ }
    ) => {
        $(#[$doc])*
        #[derive(Copy, Clone, Debug, PartialEq, Eq)]
        pub struct $name(pub(crate) u32);

        impl $name {
            $($(#[$fdoc])* pub const $flag: $name = $name($value);)+

            #[doc = $empty_doc]
            ///
            /// # Examples
            /// ```
            #[doc = concat!("use ", $path, "::", stringify!($name), ";")]
            #[doc = concat!("assert!(!", stringify!($name), "::empty().contains(", stringify!($name), "::", stringify!($example), "));")]
            /// ```
            pub const fn empty() -> Self {
                $name(0)
            }

            /// Whether all of `other` is set.
            ///
            /// # Examples
            /// ```
            #[doc = concat!("use ", $path, "::", stringify!($name), ";")]
            #[doc = concat!("assert!(", $holder, ".contains(", stringify!($name), "::", stringify!($example), "));")]
            /// ```
            pub const fn contains(self, other: Self) -> bool {
                self.0 & other.0 == other.0
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
