/**
 * Reading SQL text as PostgreSQL's lexer does, for the pre-check and the rewriter.
 *
 * <p>{@link dev.cutover.rewriter.lex.WordSet} is the hot path's pre-check: it must never miss a
 * spelling of a name PostgreSQL accepts, so wherever it and PostgreSQL could split a text
 * differently it splits more ({@code $} separates, a digit-led run matches by its end, a run longer
 * than a long name matches by its start) and it gives up, answering "may touch", on spellings it
 * cannot read as written (Unicode escapes, backslash escape strings). Its class comment lists each
 * rule.
 *
 * <p>{@link dev.cutover.rewriter.lex.Lexer} splits text into tokens exactly as PostgreSQL (with
 * {@code standard_conforming_strings = on}) and pgjdbc do: quoted and unquoted identifiers,
 * {@code U&"..."} identifiers (decoded, with {@code UESCAPE}, by
 * {@link dev.cutover.rewriter.lex.SqlText#unicodeName}), every string form, nested comments, dollar
 * quotes, placeholders. {@link dev.cutover.rewriter.lex.Identifiers#fold} gives the name
 * PostgreSQL sees (ASCII-only case folding, quotes removed, cut to 63 bytes), so that the
 * statement check compares names the way the server resolves them.
 * {@link dev.cutover.rewriter.lex.CalciteMask} prepares a statement for Calcite's parser at the
 * same positions, and names (so that the caller refuses) every token it cannot present faithfully.
 */
package dev.cutover.rewriter.lex;
