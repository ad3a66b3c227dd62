// TEMPORARY stand-in until the policy helper's sniff.ts lands (then replaced by git mv).
import { fileTypeFromBuffer } from 'file-type';

export async function sniffContradiction(
  declared: string,
  head: Uint8Array,
): Promise<string | null> {
  const found = await fileTypeFromBuffer(head);
  if (found === undefined) return null;
  if (found.mime === declared) return null;
  return found.mime;
}
