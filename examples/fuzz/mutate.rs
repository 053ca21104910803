//! Inputs as a pure function of (seed, index): a kept input, mutated a few times. Byte-level
//! mutations, dictionary tokens, deep nesting, and for JSON seeds a structural mutation that
//! replaces one value with another of any type, so the probe answer's inputs reach the rules.

/// xorshift64*, seeded per input.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound.max(1) as u64) as usize
    }
}

const INTERESTING_BYTES: &[u8] = b"\0\xff\n\r\t \"'\\;,=:[]{}#%\x1b\x7f";

/// The input number `index` for `seed`.
pub(crate) fn input(seeds: &[Vec<u8>], dictionary: &[&str], seed: u64, index: u64) -> Vec<u8> {
    let mut random = Random(
        (seed ^ 0x9E37_79B9_7F4A_7C15).wrapping_mul(index.wrapping_add(1) | 1) ^ index << 17 | 1,
    );
    for _ in 0..4 {
        random.next();
    }
    let mut data = seeds[random.below(seeds.len())].clone();
    let rounds = 1 + random.below(8);
    for _ in 0..rounds {
        mutate_once(&mut data, seeds, dictionary, &mut random);
    }
    data
}

fn mutate_once(data: &mut Vec<u8>, seeds: &[Vec<u8>], dictionary: &[&str], random: &mut Random) {
    let at = random.below(data.len() + 1);
    match random.below(10) {
        0 if !data.is_empty() => {
            let bit = random.below(8);
            let at = at.min(data.len() - 1);
            data[at] ^= 1 << bit;
        }
        1 => data.insert(at, INTERESTING_BYTES[random.below(INTERESTING_BYTES.len())]),
        2 | 3 if !dictionary.is_empty() => {
            let token = dictionary[random.below(dictionary.len())].as_bytes();
            data.splice(at..at, token.iter().copied());
        }
        4 if !data.is_empty() => {
            let end = (at + 1 + random.below(16)).min(data.len());
            data.drain(at.min(end)..end);
        }
        5 if !data.is_empty() => {
            let end = (at + 1 + random.below(32)).min(data.len());
            let copy: Vec<u8> = data[at.min(end)..end].to_vec();
            let to = random.below(data.len() + 1);
            data.splice(to..to, copy);
        }
        6 => {
            let other = &seeds[random.below(seeds.len())];
            let cut = random.below(other.len() + 1);
            data.truncate(at);
            data.extend_from_slice(&other[cut..]);
        }
        7 => {
            // Deep nesting or a long run: what breaks recursive parsers and quadratic loops.
            let unit: &[u8] = match random.below(4) {
                0 => b"[",
                1 => b"{\"a\":",
                2 => b"(",
                _ => b";",
            };
            let times = 1 + random.below(20_000);
            let run: Vec<u8> = unit
                .iter()
                .copied()
                .cycle()
                .take(unit.len() * times)
                .collect();
            data.splice(at..at, run);
        }
        8 => structural(data, random),
        _ => data.truncate(at),
    }
}

/// For JSON inputs: one value anywhere in the document replaced by a random one.
fn structural(data: &mut Vec<u8>, random: &mut Random) {
    let Ok(mut document) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let mut count = 0;
    count_values(&document, &mut count);
    let mut target = random.below(count);
    let replacement = random_value(random);
    replace_value(&mut document, &mut target, replacement);
    *data = serde_json::to_vec(&document).unwrap_or_default();
}

fn count_values(value: &serde_json::Value, count: &mut usize) {
    *count += 1;
    match value {
        serde_json::Value::Array(items) => items.iter().for_each(|item| count_values(item, count)),
        serde_json::Value::Object(map) => map.values().for_each(|item| count_values(item, count)),
        _ => {}
    }
}

fn replace_value(
    value: &mut serde_json::Value,
    target: &mut usize,
    replacement: serde_json::Value,
) -> bool {
    if *target == 0 {
        *value = replacement;
        return true;
    }
    *target -= 1;
    let children: Vec<&mut serde_json::Value> = match value {
        serde_json::Value::Array(items) => items.iter_mut().collect(),
        serde_json::Value::Object(map) => map.values_mut().collect(),
        _ => return false,
    };
    for child in children {
        if replace_value(child, target, replacement.clone()) {
            return true;
        }
    }
    false
}

fn random_value(random: &mut Random) -> serde_json::Value {
    use serde_json::json;
    let strings = [
        "",
        "0",
        "https",
        "HTTP_X_FORWARDED_PROTO",
        "max-age=0",
        "security.W004",
        "guard.x",
        "django.middleware.security.SecurityMiddleware",
        "*",
        "tuple",
        "str",
        "int",
        "bool",
        "NoneType",
        "list",
        "\u{1b}[32m",
        "ünïcode",
        "a\nb",
    ];
    match random.below(9) {
        0 => json!(null),
        1 => json!(random.below(2) == 0),
        2 => json!(i64::MIN + random.below(3) as i64),
        3 => json!(u64::MAX - random.below(3) as u64),
        4 => json!(random.below(100_000) as i64 - 50_000),
        5 => json!(f64::from(u32::try_from(random.below(1000)).unwrap_or(0)) / 7.0),
        6 => json!([
            strings[random.below(strings.len())],
            strings[random.below(strings.len())]
        ]),
        7 => json!({"type": strings[random.below(strings.len())], "value": null, "repr": "x"}),
        _ => json!(strings[random.below(strings.len())]),
    }
}
