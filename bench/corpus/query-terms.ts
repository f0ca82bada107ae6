import type { Corpus } from './generator.js';

/**
 * Query terms for search benchmarks, picked from the vocabulary by predicted frequency so they scale
 * with the corpus: a common word (in several percent of messages), a medium one and a rare one
 * (a handful of messages). Pseudo-words only, so no stop-word filter or stemmer removes them.
 */
export interface QueryTerms {
  common: string;
  medium: string;
  rare: string;
}

/** Vocabulary draws per message, measured on generated corpora (see the benchmark notes). */
const WORD_DRAWS_PER_MESSAGE = 16;

export function queryTerms(corpus: Corpus): QueryTerms {
  const { words, zipf, firstPseudoWordRank } = corpus.vocabulary;
  const draws = corpus.options.messages * WORD_DRAWS_PER_MESSAGE;
  const rankWithExpectedCount = (count: number): number => {
    for (let rank = firstPseudoWordRank; rank < words.length; rank++) {
      if (zipf.probability(rank) * draws <= count && isPlainWord(words[rank]!)) return rank;
    }
    return words.length - 1;
  };
  return {
    common: words[firstPseudoWordRank]!,
    medium: words[rankWithExpectedCount(Math.max(20, corpus.options.messages / 1000))]!,
    rare: words[rankWithExpectedCount(5)]!,
  };
}

/** ASCII letters only and long enough that stemmers keep it whole in practice. */
function isPlainWord(word: string): boolean {
  return /^[a-z]{5,}$/.test(word);
}
