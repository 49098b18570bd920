//! Closed sets stored as text: one declaration gives the Rust enum, its
//! GraphQL enum, its serde form and its stored form, all the same
//! SCREAMING_SNAKE_CASE name, so they can never drift apart.

/// Declares an enum whose variants are stored as the given text.
#[macro_export]
macro_rules! stored_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, async_graphql::Enum, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $( $(#[$vmeta])* #[graphql(name = $text)] #[serde(rename = $text)] $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored (and GraphQL) name.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Reads a stored name.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }

            /// Reads a stored name, which the hub itself wrote.
            pub fn from_stored(s: &str) -> $crate::error::Result<Self> {
                Self::parse(s).ok_or_else(|| $crate::error::Error::internal_msg(
                    format!("unknown {} {s:?} in the database", stringify!($name))))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
