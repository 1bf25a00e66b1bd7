//! The proof of work of the report form, the same on both sides: the page finds a number
//! `n` such that SHA-256(`token:n`) starts with `bits` zero bits; the server checks it with
//! one hash. It costs a person's phone a fraction of a second once, and a flood of reports
//! that much per report.

use sha2::{Digest, Sha256};

/// Leading zero bits of a digest.
fn leading_zero_bits(digest: &[u8]) -> u32 {
    let mut bits = 0;
    for byte in digest {
        if *byte == 0 {
            bits += 8;
        } else {
            bits += byte.leading_zeros();
            break;
        }
    }
    bits
}

/// Whether `nonce` proves `bits` of work for `token`.
#[must_use]
pub fn proves(token: &str, nonce: u64, bits: u32) -> bool {
    leading_zero_bits(&Sha256::digest(format!("{token}:{nonce}"))) >= bits
}

/// The first number that proves `bits` of work for `token` (about 2^`bits` hashes).
#[must_use]
pub fn solve(token: &str, bits: u32) -> u64 {
    let mut nonce = 0;
    while !proves(token, nonce, bits) {
        nonce += 1;
    }
    nonce
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_solution_proves_its_token_only() {
        let nonce = solve("token-a", 12);
        assert!(proves("token-a", nonce, 12));
        assert!((0..nonce).all(|n| !proves("token-a", n, 12)));
        assert_eq!(leading_zero_bits(&[0, 0, 0b0001_0000]), 19);
    }
}
