//! `Lists`: many short lists of `u32` (a question's terms, a term's
//! questions) laid out one after another in one array, with where each
//! ends. A 100,000-question bank's analysis holds a few such tables; as a
//! `Vec` per list each would cost a heap block and 24 bytes more per list.

/// Lists pushed in order and read by position.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lists {
    /// Where each list ends in `items`; it starts where the previous ends.
    ends: Vec<u32>,
    items: Vec<u32>,
}

impl Lists {
    pub fn with_capacity(lists: usize, items: usize) -> Lists {
        Lists {
            ends: Vec::with_capacity(lists),
            items: Vec::with_capacity(items),
        }
    }

    /// Lists of the given lengths in order, each filled by `fill`, which is
    /// called once per item with the list it goes in: for building
    /// postings from counts without a `Vec` per list.
    pub fn from_counts(counts: &[u32], items: impl Iterator<Item = (u32, u32)>) -> Lists {
        let mut ends = Vec::with_capacity(counts.len());
        let mut total = 0u32;
        for &count in counts {
            total += count;
            ends.push(total);
        }
        let mut next: Vec<u32> = std::iter::once(0)
            .chain(ends.iter().copied())
            .take(counts.len())
            .collect();
        let mut flat = vec![0; total as usize];
        for (list, item) in items {
            let slot = &mut next[list as usize];
            flat[*slot as usize] = item;
            *slot += 1;
        }
        Lists { ends, items: flat }
    }

    /// The lists turned inside out: for each value below `values`, the
    /// positions of the lists that hold it, ascending (a term's questions,
    /// from each question's terms).
    pub fn transposed(&self, values: usize) -> Lists {
        let mut counts = vec![0u32; values];
        for &value in &self.items {
            counts[value as usize] += 1;
        }
        let held = self
            .iter()
            .enumerate()
            .flat_map(|(position, list)| list.iter().map(move |&value| (value, position as u32)));
        Lists::from_counts(&counts, held)
    }

    /// Adds a list at the end.
    pub fn push(&mut self, list: &[u32]) {
        self.items.extend_from_slice(list);
        self.ends.push(self.items.len() as u32);
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// List `position`, empty past the end.
    pub fn get(&self, position: usize) -> &[u32] {
        let Some(&end) = self.ends.get(position) else {
            return &[];
        };
        let start = position
            .checked_sub(1)
            .map_or(0, |before| self.ends[before]);
        &self.items[start as usize..end as usize]
    }

    pub fn iter(&self) -> impl Iterator<Item = &[u32]> {
        (0..self.len()).map(|position| self.get(position))
    }

    /// Gives back spare capacity once building is done.
    pub fn shrink_to_fit(&mut self) {
        self.ends.shrink_to_fit();
        self.items.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_read_back_as_pushed_or_counted() {
        let mut lists = Lists::default();
        lists.push(&[3, 1]);
        lists.push(&[]);
        lists.push(&[7]);
        let read: Vec<&[u32]> = lists.iter().collect();
        assert_eq!(read, [&[3, 1][..], &[], &[7]]);
        assert_eq!(lists.get(9), &[] as &[u32]);
        let counted = Lists::from_counts(&[2, 0, 1], [(0, 5), (2, 6), (0, 4)].into_iter());
        let read: Vec<&[u32]> = counted.iter().collect();
        assert_eq!(read, [&[5, 4][..], &[], &[6]]);
        let transposed = lists.transposed(8);
        let by_value: Vec<&[u32]> = transposed.iter().collect();
        assert_eq!(by_value[1], [0]);
        assert_eq!(by_value[3], [0]);
        assert_eq!(by_value[7], [2]);
        assert!(by_value[0].is_empty());
    }
}
