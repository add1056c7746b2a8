//! String interning for the few string columns (country, category, page).
//!
//! Events carry a `u32` id instead of a `String` so the stream operators stay
//! allocation-free on the hot path. Ids are kept in **lexicographic order** of
//! their strings ([`Dictionary::sorted`]), so sorting by id sorts by text, as
//! the output contract's `ORDER BY category` requires.

use rustc_hash::FxHashMap;

/// Interned strings; `id` indexes `values`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dictionary {
    values: Vec<String>,
    index: FxHashMap<String, u32>,
}

impl Dictionary {
    /// A dictionary of the given values, deduplicated and sorted.
    pub fn from_values<I: IntoIterator<Item = S>, S: Into<String>>(values: I) -> Self {
        let mut v: Vec<String> = values.into_iter().map(Into::into).collect();
        v.sort();
        v.dedup();
        let index = v
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i as u32))
            .collect();
        Dictionary { values: v, index }
    }

    /// The id of `s`, adding it at the end if new (ids may then be unsorted
    /// until [`Dictionary::sorted`] is applied).
    pub fn intern(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.index.get(s) {
            return id;
        }
        let id = self.values.len() as u32;
        self.values.push(s.to_string());
        self.index.insert(s.to_string(), id);
        id
    }

    /// The id of `s`, if present.
    pub fn id(&self, s: &str) -> Option<u32> {
        self.index.get(s).copied()
    }

    /// The string of `id`. Panics on an id this dictionary never issued,
    /// which is a programming error, not bad input.
    pub fn get(&self, id: u32) -> &str {
        &self.values[id as usize]
    }

    /// Number of distinct strings.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when no string was interned.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// All strings, in id order.
    pub fn values(&self) -> &[String] {
        &self.values
    }

    /// Re-numbers the ids in lexicographic order and returns the mapping
    /// `old id → new id`, so callers can rewrite the ids they hold.
    pub fn sorted(&self) -> (Dictionary, Vec<u32>) {
        let sorted = Dictionary::from_values(self.values.iter().cloned());
        let remap = self
            .values
            .iter()
            .map(|s| sorted.id(s).expect("same strings"))
            .collect();
        (sorted, remap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_ids_follow_text_order() {
        let mut d = Dictionary::default();
        let toys = d.intern("toys");
        let books = d.intern("books");
        assert_eq!(d.intern("toys"), toys);
        let (s, remap) = d.sorted();
        assert_eq!(s.get(remap[books as usize]), "books");
        assert_eq!(remap[books as usize], 0);
        assert_eq!(remap[toys as usize], 1);
    }
}
