//! Masking of personal data (个人信息) for callers without `pii:read`.
//!
//! The masks keep enough to let a clerk recognise a record they already hold
//! (the region and the last four characters of an ID number, a surname), and
//! nothing that identifies a person on its own.

/// `410902199001011234` → `410***********1234`.
pub fn id_number(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() < 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}

/// `张三` → `张*`, `欧阳娜娜` → `欧***`: the first character stays.
pub fn person_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => format!("{first}{}", "*".repeat(chars.count().max(1))),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_numbers_keep_only_region_prefix_and_last_four() {
        assert_eq!(id_number("11010519491231002X"), "110***********002X");
    }

    #[test]
    fn names_keep_only_the_first_character() {
        assert_eq!(person_name("张三"), "张*");
        assert_eq!(person_name("欧阳娜娜"), "欧***");
        assert_eq!(person_name("李"), "李*");
    }
}
