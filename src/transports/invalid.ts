/** The one error a malformed reference gets, with the form expected. */
import { OciError } from '../oci/index.ts';

export function invalidRef(s: string, form: string): OciError {
  return new OciError('IMAGE_REF_INVALID', `bad image reference ${JSON.stringify(s)}: expected ${form}`);
}
