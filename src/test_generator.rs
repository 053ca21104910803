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

    /// A character from every part of Unicode: printable and control ASCII, Latin-1, the rest
    /// of the BMP (format, private-use and unassigned characters too), and beyond it.
    pub(crate) fn unicode_char(&mut self) -> char {
        let (low, high) = *self.pick(&[
            (0x20_u32, 0x7e_u32),
            (0x20, 0x7e),
            (0x00, 0x1f),
            (0x7f, 0xff),
            (0x100, 0xd7ff),
            (0xe000, 0xfffd),
            (0x1_0000, 0x10_ffff),
        ]);
        let span = usize::try_from(high - low + 1).expect("a small span");
        let offset = u32::try_from(self.below(span)).expect("below a u32 span");
        char::from_u32(low + offset).unwrap_or('?')
    }

    /// `min..=max` characters of [`Self::unicode_char`].
    pub(crate) fn unicode_text(&mut self, min: usize, max: usize) -> String {
        let length = min + self.below(max - min + 1);
        (0..length).map(|_| self.unicode_char()).collect()
    }
}
