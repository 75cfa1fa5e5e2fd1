/**
 * Labels distill writes into images that another command reads back: kept here, below both the
 * builder that writes them (app) and the commands that read them (audit), so neither reaches into
 * the other.
 */

/**
 * distill.yaml's `writable` directories, as a JSON array label, so `distill audit` can tell the
 * directories a read-only root needs volumes for from ones the app writes undeclared.
 */
export const WRITABLE_LABEL = 'dev.distill.writable';
