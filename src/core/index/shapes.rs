//! Each indexed question's shape, read from its wording when first asked
//! for. Most requests look at a few questions, so the cells that hold the
//! shapes are made in chunks as first touched: a 100,000-question bank
//! costs a pointer per 64 questions until then, where a cell per question
//! cost 40 bytes each (4 MB).

use std::sync::OnceLock;

use super::QuestionId;
use crate::core::shape::ShapeInfo;

const CHUNK: usize = 64;

type Chunk = [OnceLock<ShapeInfo>; CHUNK];

#[derive(Debug, Default)]
pub(super) struct Shapes {
    chunks: Box<[OnceLock<Box<Chunk>>]>,
}

impl Shapes {
    /// Room for `count` questions' shapes, none read yet.
    pub(super) fn new(count: usize) -> Shapes {
        Shapes {
            chunks: (0..count.div_ceil(CHUNK))
                .map(|_| OnceLock::new())
                .collect(),
        }
    }

    /// The cell of question `id` (an id of the index: out of range is a
    /// caller bug, as for the index's other lists).
    pub(super) fn cell(&self, id: QuestionId) -> &OnceLock<ShapeInfo> {
        let id = id as usize;
        let chunk = self.chunks[id / CHUNK]
            .get_or_init(|| Box::new(std::array::from_fn(|_| OnceLock::new())));
        &chunk[id % CHUNK]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::shape::classify;

    #[test]
    fn each_question_has_its_own_cell_across_chunks() {
        let shapes = Shapes::new(130);
        for id in [0, 63, 64, 129] {
            let text = format!("What is thing {id}?");
            assert_eq!(
                shapes.cell(id).get_or_init(|| classify(&text)),
                &classify(&text)
            );
        }
        assert!(shapes.cell(1).get().is_none());
        assert!(shapes.cell(65).get().is_none());
        assert!(shapes.chunks[1].get().is_some());
        assert_eq!(shapes.chunks.len(), 3);
    }
}
