//! Edits to a text and what they add up to: the regions where two versions
//! of a text differ, each with its range in the old and in the new text.
//! Everything between two regions is the same in both, shifted. A long
//! note's parse is redone only around these regions (`note::reparse_note`).

use std::ops::Range;

/// One edit, as applied: `start..end` of the text as it was then (in
/// bytes) was replaced by `inserted` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub inserted: usize,
}

/// A region where two versions differ: `old` in the old text became `new`
/// in the new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    pub old: Range<usize>,
    pub new: Range<usize>,
}

impl Changed {
    /// How much longer the region became.
    fn growth(&self) -> isize {
        self.new.len() as isize - self.old.len() as isize
    }
}

/// The regions, in order, where the text after `edits` (applied one after
/// the other) differs from the text before them. Regions that touch are
/// merged, so between two regions there is at least one unchanged byte.
pub fn compose(edits: &[Edit]) -> Vec<Changed> {
    let mut regions: Vec<Changed> = Vec::new();
    for edit in edits {
        let (start, end) = (edit.start.min(edit.end), edit.start.max(edit.end));
        let first = regions.partition_point(|region| region.new.end < start);
        let last = regions.partition_point(|region| region.new.start <= end);
        let growth_before: isize = regions[..first].iter().map(Changed::growth).sum();
        let touching = &regions[first..last];
        let growth_through = growth_before + touching.iter().map(Changed::growth).sum::<isize>();
        let old_start = match touching.first() {
            Some(region) if region.new.start <= start => region.old.start,
            _ => start.saturating_add_signed(-growth_before),
        };
        let old_end = match touching.last() {
            Some(region) if region.new.end >= end => region.old.end,
            _ => end.saturating_add_signed(-growth_through),
        };
        let new_start = touching
            .first()
            .map_or(start, |region| region.new.start.min(start));
        let new_end = touching
            .last()
            .map_or(end, |region| region.new.end.max(end));
        let growth = edit.inserted as isize - (end - start) as isize;
        let merged = Changed {
            old: old_start..old_end,
            new: new_start..new_end.saturating_add_signed(growth),
        };
        regions.splice(first..last, [merged]);
        for region in &mut regions[first + 1..] {
            region.new = region.new.start.saturating_add_signed(growth)
                ..region.new.end.saturating_add_signed(growth);
        }
    }
    regions
}

/// Whether `regions` (from `compose`) account for every difference between
/// `old` and `new`: a check that costs one comparison of the texts and
/// keeps a wrong edit log from producing a wrong parse.
pub fn describes(regions: &[Changed], old: &str, new: &str) -> bool {
    let (old, new) = (old.as_bytes(), new.as_bytes());
    let (mut old_at, mut new_at) = (0, 0);
    for region in regions.iter().chain([&Changed {
        old: old.len()..old.len(),
        new: new.len()..new.len(),
    }]) {
        let in_order = old_at <= region.old.start
            && region.old.start <= region.old.end
            && region.old.end <= old.len()
            && new_at <= region.new.start
            && region.new.start <= region.new.end
            && region.new.end <= new.len();
        if !in_order || old[old_at..region.old.start] != new[new_at..region.new.start] {
            return false;
        }
        old_at = region.old.end;
        new_at = region.new.end;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn apply(text: &mut Vec<u8>, edit: Edit, inserted: &[u8]) {
        text.splice(edit.start..edit.end, inserted.iter().copied());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// The old text with each region replaced by the new text's region
        /// is the new text, and nothing outside the regions differs.
        #[test]
        fn regions_rebuild_the_new_text(
            old in proptest::collection::vec(0u8..4, 0..60),
            edits in proptest::collection::vec((0usize..80, 0usize..8, proptest::collection::vec(0u8..4, 0..6)), 0..12),
        ) {
            let mut text = old.clone();
            let mut applied = Vec::new();
            for (start, length, inserted) in edits {
                let start = start.min(text.len());
                let end = (start + length).min(text.len());
                let edit = Edit { start, end, inserted: inserted.len() };
                apply(&mut text, edit, &inserted);
                applied.push(edit);
            }
            let regions = compose(&applied);
            let mut rebuilt = Vec::new();
            let mut old_at = 0;
            for region in &regions {
                rebuilt.extend_from_slice(&old[old_at..region.old.start]);
                rebuilt.extend_from_slice(&text[region.new.clone()]);
                old_at = region.old.end;
            }
            rebuilt.extend_from_slice(&old[old_at..]);
            prop_assert_eq!(&rebuilt, &text);
            let (old, new) = (String::from_utf8(old).unwrap(), String::from_utf8(text).unwrap());
            prop_assert!(describes(&regions, &old, &new));
        }
    }

    #[test]
    fn a_wrong_log_is_caught() {
        let regions = compose(&[Edit {
            start: 1,
            end: 2,
            inserted: 1,
        }]);
        assert_eq!(
            regions,
            vec![Changed {
                old: 1..2,
                new: 1..2
            }]
        );
        assert!(describes(&regions, "abc", "axc"));
        assert!(!describes(&regions, "abc", "axd"));
        assert!(!describes(&regions, "abc", "ax"));
    }
}
