/** "1 link", "2 links": a count with its noun in the right number (nouns whose plural adds an s). */
export function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
