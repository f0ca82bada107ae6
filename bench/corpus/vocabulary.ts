import { createRandom, deriveSeed, pick, randomInt, type Random } from './prng.js';
import { createZipf, type ZipfSampler } from './zipf.js';

/**
 * The corpus vocabulary: real English function words at the top ranks (so common-term queries look
 * like real ones), then pronounceable pseudo-words, rarer ones longer, a few with diacritics, CJK or
 * emoji so that tokenizers meet non-ASCII text. Frequencies follow Zipf's law over the ranks.
 */
export interface Vocabulary {
  readonly words: readonly string[];
  readonly zipf: ZipfSampler;
  /** Rank of the first generated pseudo-word (below it: real English words). */
  readonly firstPseudoWordRank: number;
  sample(random: Random): string;
}

export const DEFAULT_VOCABULARY_SIZE = 50_000;
const WORD_FREQUENCY_EXPONENT = 1.0;

const COMMON_ENGLISH = (
  'the be to of and a in that have i it for not on with he as you do at this but his by from they ' +
  'we say her she or an will my one all would there their what so up out if about who get which go ' +
  'me when make can like time no just him know take people into year your good some could them see ' +
  'other than then now look only come its over think also back after use two how our work first ' +
  'well way even new want because any these give day most us is was are been has had did ok yes ' +
  'yeah lol thanks hi hey sure maybe tomorrow today meeting build release fix bug test deploy'
).split(' ');

const ONSETS = ['b', 'c', 'd', 'f', 'g', 'h', 'j', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'w', 'z',
  'br', 'ch', 'cl', 'dr', 'fl', 'gr', 'pl', 'pr', 'sh', 'st', 'th', 'tr', 'sk', 'qu'];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'a', 'e', 'o', 'ai', 'ea', 'ou', 'io', 'y'];
const CODAS = ['', '', '', '', 'n', 'r', 's', 'l', 't', 'm', 'nd', 'st', 'rk', 'x', 'ng'];
const ACCENTED: Record<string, string> = { a: 'ä', e: 'é', i: 'í', o: 'ö', u: 'ü', n: 'ñ', c: 'ç' };
const CJK = '的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坏兴切局';
const EMOJI = ['👍', '😂', '🎉', '🙂', '🔥', '❤️', '🤔', '✅'];

export function createVocabulary(seed: number, size = DEFAULT_VOCABULARY_SIZE): Vocabulary {
  const random = createRandom(deriveSeed(seed, 0x766f6361));
  const seen = new Set<string>();
  const words: string[] = [];
  const add = (word: string): void => {
    if (!seen.has(word)) {
      seen.add(word);
      words.push(word);
    }
  };
  for (const word of COMMON_ENGLISH) if (words.length < size) add(word);
  const firstPseudoWordRank = words.length;
  while (words.length < size) add(pseudoWord(random, words.length, size));
  const zipf = createZipf(words.length, WORD_FREQUENCY_EXPONENT);
  return { words, zipf, firstPseudoWordRank, sample: (r) => words[zipf.sample(r)]! };
}

/** A pronounceable word; rarer ranks get more syllables, a few get non-ASCII letters. */
function pseudoWord(random: Random, rank: number, size: number): string {
  const roll = random();
  if (roll < 0.003) return cjkWord(random);
  if (roll < 0.004) return pick(random, EMOJI) + pick(random, EMOJI);
  const rarity = rank / size;
  const syllables = rarity < 0.05 ? randomInt(random, 1, 2) : rarity < 0.3 ? randomInt(random, 2, 3) : randomInt(random, 2, 4);
  let word = '';
  for (let s = 0; s < syllables; s++) {
    word += pick(random, ONSETS) + pick(random, VOWELS) + (s === syllables - 1 || random() < 0.3 ? pick(random, CODAS) : '');
  }
  if (roll < 0.014) word = accentOneLetter(random, word);
  return word;
}

function accentOneLetter(random: Random, word: string): string {
  const candidates = [...word].map((ch, i) => (ACCENTED[ch] ? i : -1)).filter((i) => i >= 0);
  if (candidates.length === 0) return word;
  const at = pick(random, candidates);
  return word.slice(0, at) + ACCENTED[word[at]!]! + word.slice(at + 1);
}

function cjkWord(random: Random): string {
  let word = '';
  for (let n = randomInt(random, 2, 3); n > 0; n--) word += CJK[Math.floor(random() * CJK.length)];
  return word;
}

const FIRST_NAMES = ['Alice', 'Bob', 'Carol', 'Dave', 'Erin', 'Frank', 'Grace', 'Heidi', 'Ivan', 'Judy',
  'Mallory', 'Niaj', 'Olivia', 'Peggy', 'Rupert', 'Sybil', 'Trent', 'Victor', 'Walter', 'Yusuf', 'Zoë',
  'José', 'Søren', 'Łukasz', 'Françoise', 'Anaïs', 'Björn', 'Chloé', 'Dmitri', 'Elena', 'Fatima', 'Giulia',
  'Hiroshi', 'Ingrid', 'Jamal', 'Kateřina', 'Lars', 'Mei', 'Nikolai', 'Oksana', 'Priya', 'Quentin',
  'Rafael', 'Sanjay', 'Tomás', 'Ulla', 'Vera', 'Wen', 'Xavier', 'Yara', 'Zeynep', 'Aiko', 'Bruno',
  'Camille', 'Diego', 'Emil', 'Farah', 'Gustav', 'Hana', 'Igor', 'Jana', 'Kai', 'Leila', 'Marta',
  'Noor', 'Oscar', 'Paula', 'Ravi', 'Sofia', 'Theo', 'Uma', 'Vikram', '王芳', '佐藤'];
const LAST_NAMES = ['Smith', 'Jones', 'Müller', 'García', 'Rossi', 'Novák', 'Kowalski', 'Øster', 'Dubois',
  'Ivanova', 'Tanaka', 'Kim', 'Nguyen', 'Patel', 'Silva', 'Jansen', 'Larsen', 'Schmidt', 'Fischer',
  'Moreau', 'Romano', 'Horváth', 'Popescu', 'Petrov', 'Yılmaz', 'Cohen', 'Haddad', 'Okafor', 'Mensah',
  'Santos', 'Costa', 'Ferreira', 'Lindqvist', 'Virtanen', 'Nakamura', 'Chen', 'Wang', 'Li', 'Zhang',
  "O'Brien", 'McDonald', 'van der Berg', 'de la Cruz', 'Brown', 'Taylor', 'Wilson', 'Clark', 'Lewis',
  'Walker', 'Young', 'Hall', 'Allen', 'King', 'Wright', 'Scott', 'Green', 'Baker', 'Adams', 'Nelson'];
const BOT_NAMES = ['Build Bot', 'Deploy Notifier', 'Standup Reminder', 'Uptime Monitor', 'RSS Relay',
  'Backup Daemon', 'Calendar Bot', 'Jira Watcher'];

export interface PersonName {
  displayName: string;
  handle: string;
}

/** A person's display name and a Skype-like handle derived from it (uniqueness is the caller's job). */
export function personName(random: Random): PersonName {
  const first = pick(random, FIRST_NAMES);
  const last = pick(random, LAST_NAMES);
  return { displayName: `${first} ${last}`, handle: asciiHandle(`${first}.${last}`) };
}

export function botName(index: number): PersonName {
  const name = BOT_NAMES[index % BOT_NAMES.length]!;
  const suffix = index >= BOT_NAMES.length ? ` ${Math.floor(index / BOT_NAMES.length) + 1}` : '';
  return { displayName: name + suffix, handle: asciiHandle(name + suffix).replace(/\./g, '-') };
}

function asciiHandle(name: string): string {
  const ascii = name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/ø/g, 'o').replace(/ł/g, 'l').replace(/ı/g, 'i').replace(/[^a-z0-9.]+/g, '');
  return ascii.replace(/^\.+|\.+$/g, '') || 'user';
}
