//! A small deterministic pseudo-random generator (xorshift) for property-style tests, so they
//! need no extra crate and every failure reproduces.

pub(crate) struct Generator(u64);

impl Generator {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed | 1)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub(crate) fn below(&mut self, bound: usize) -> usize {
        usize::try_from(self.next() % bound as u64).expect("below a usize bound")
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub(crate) fn flip(&mut self) -> bool {
        self.next() & 1 == 1
    }

    /// `items` in a random order (Fisher-Yates), e.g. to show that order is not significant.
    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        for index in (1..items.len()).rev() {
            let other = self.below(index + 1);
            items.swap(index, other);
        }
    }

    /// `text` with each letter's case flipped at random.
    pub(crate) fn shuffle_case(&mut self, text: &str) -> String {
        text.chars()
            .map(|character| {
                if self.flip() {
                    character.to_ascii_uppercase()
                } else {
                    character.to_ascii_lowercase()
                }
            })
            .collect()
    }
}
