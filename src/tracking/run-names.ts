/**
 * Generated run names ("adjective-noun-123"), as MLflow makes them when a run is created without a name.
 * The word lists are copied verbatim from MLflow (mlflow/utils/name_utils.py, Apache-2.0) so that names look
 * the same whichever server made them; "resilient" appears twice there and is kept, to keep the odds identical.
 */
const NOUNS = (
  "ant ape asp auk bass bat bear bee bird boar bug calf carp cat chimp cod colt conch cow crab crane croc crow cub " +
  "deer doe dog dolphin donkey dove duck eel elk fawn finch fish flea fly foal fowl fox frog gnat gnu goat goose " +
  "grouse grub gull hare hawk hen hog horse hound jay kit kite koi lamb lark loon lynx mare midge mink mole moose " +
  "moth mouse mule newt owl ox panda penguin perch pig pug quail ram rat ray robin roo rook seal shad shark sheep " +
  "shoat shrew shrike shrimp skink skunk sloth slug smelt snail snake snipe sow sponge squid squirrel stag steed " +
  "stoat stork swan tern toad trout turtle vole wasp whale wolf worm wren yak zebra"
).split(" ");

const PREDICATES = (
  "abundant able abrasive adorable adaptable adventurous aged agreeable ambitious amazing amusing angry auspicious " +
  "awesome bald beautiful bemused bedecked big bittersweet blushing bold bouncy brawny bright burly bustling calm " +
  "capable carefree capricious caring casual charming chill classy clean clumsy colorful crawling dapper debonair " +
  "dashing defiant delicate delightful dazzling efficient enchanting entertaining enthused exultant fearless " +
  "flawless fortunate fun funny gaudy gentle gifted glamorous grandiose gregarious handsome hilarious honorable " +
  "illustrious incongruous indecisive industrious intelligent inquisitive intrigued invincible judicious kindly " +
  "languid learned legendary likeable loud luminous luxuriant lyrical magnificent marvelous masked melodic merciful " +
  "mercurial monumental mysterious nebulous nervous nimble nosy omniscient orderly overjoyed peaceful painted " +
  "persistent placid polite popular powerful puzzled rambunctious rare rebellious respected resilient righteous " +
  "receptive redolent resilient rogue rumbling salty sassy secretive selective sedate serious shivering skillful " +
  "sincere skittish silent smiling sneaky sophisticated spiffy stately suave stylish tasteful thoughtful thundering " +
  "traveling treasured trusting unequaled upset unique unleashed useful upbeat unruly valuable vaunted victorious " +
  "welcoming whimsical wistful wise worried youthful zealous"
).split(" ");

export const RUN_NAME_NOUNS: readonly string[] = NOUNS;
export const RUN_NAME_PREDICATES: readonly string[] = PREDICATES;

/** A random source in [0, 1); injectable so tests can pin the outcome. */
export type RandomSource = () => number;

const pick = (words: readonly string[], random: RandomSource): string =>
  words[Math.floor(random() * words.length)] ?? words[0] ?? "";

/**
 * MLflow's `_generate_random_name(sep="-", integer_scale=3, max_length=20)`: up to ten draws for a name of at most
 * 20 characters, else the last draw truncated. The number is `randint(0, 1000)`, both ends included.
 */
export const generateRunName = (random: RandomSource = Math.random): string => {
  let name = "";
  for (let attempt = 0; attempt < 10; attempt += 1) {
    const number = Math.floor(random() * 1001);
    name = `${pick(PREDICATES, random)}-${pick(NOUNS, random)}-${number}`;
    if (name.length <= 20) return name;
  }
  return name.slice(0, 20);
};
