// The PEGTL grammar of Castellan's expression language, a subset of CEL.
//
// Only the grammar lives here: the rules say what text is accepted and which
// failures are fatal (with the message an author sees). Building the AST from
// the parse tree is parser.cc's job. One struct per rule, following CEL's
// grammar (cel-spec doc/langdef.md, "Syntax"):
//
//   Expr           = ConditionalOr ["?" ConditionalOr ":" Expr] ;
//   ConditionalOr  = [ConditionalOr "||"] ConditionalAnd ;
//   ConditionalAnd = [ConditionalAnd "&&"] Relation ;
//   Relation       = [Relation Relop] Addition ;
//   Addition       = [Addition ("+" | "-")] Multiplication ;
//   Multiplication = [Multiplication ("*" | "/" | "%")] Unary ;
//   Unary          = Member | "!" {"!"} Member | "-" {"-"} Member ;
//   Member         = Primary | Member "." SELECTOR ["(" [ExprList] ")"]
//                  | Member "[" Expr "]" ;
//   Primary        = ["."] IDENT ["(" [ExprList] ")"] | "(" Expr ")"
//                  | "[" [ExprList] [","] "]" | "{" [MapInits] [","] "}"
//                  | LITERAL ;
//
// plus CEL's optional syntax: `a.?b`, `a[?b]`, `[?x]` and `{?k: v}`.
// Message construction (`T{f: v}`) is recognised so that the parser can
// report it as unsupported.
#pragma once

#include <cstddef>

#include <tao/pegtl.hpp>

namespace castellan::dsl::grammar {

namespace pegtl = tao::pegtl;
using namespace tao::pegtl;  // NOLINT: the grammar reads best with PEGTL's names

// Expressions nested deeper than this are rejected, so hostile input cannot
// exhaust the stack of a parsing thread.
inline constexpr std::size_t kMaxNesting = 100;

// ---- Whitespace and comments -------------------------------------------
struct line_comment : seq<two<'/'>, until<eolf>> {};
struct blank : sor<one<' ', '\t', '\n', '\r', '\f', '\v'>, line_comment> {};
struct sp : star<blank> {};

// ---- Nesting guard ---------------------------------------------------------
// Behaves as seq<Rule>, but counts how deeply nested expressions are.
template <typename Rule>
struct nested : seq<Rule> {
  template <apply_mode A, rewind_mode M, template <typename...> class Action,
            template <typename...> class Control, typename ParseInput, typename... States>
  static bool match(ParseInput& in, States&&... st) {
    struct Guard {
      std::size_t& depth;
      explicit Guard(std::size_t& d) : depth(d) { ++depth; }
      ~Guard() { --depth; }
    } guard(in.private_depth);
    if (in.private_depth > kMaxNesting) {
      throw parse_error("expression is nested too deeply (the limit is 100 levels)", in);
    }
    return pegtl::match<Rule, A, M, Action, Control>(in, st...);
  }
};

// ---- Identifiers -------------------------------------------------------------
struct ident_first : ranges<'a', 'z', 'A', 'Z', '_'> {};
struct ident_other : ranges<'a', 'z', 'A', 'Z', '0', '9', '_'> {};
struct ident_word : seq<ident_first, star<ident_other>> {};
template <char... Cs>
struct word : seq<string<Cs...>, not_at<ident_other>> {};
struct kw_true : word<'t', 'r', 'u', 'e'> {};
struct kw_false : word<'f', 'a', 'l', 's', 'e'> {};
struct kw_null : word<'n', 'u', 'l', 'l'> {};
struct kw_in : word<'i', 'n'> {};
// Words CEL reserves: never identifiers, but allowed as field names.
struct reserved
    : sor<kw_true, kw_false, kw_null, kw_in, word<'a', 's'>, word<'b', 'r', 'e', 'a', 'k'>,
          word<'c', 'o', 'n', 's', 't'>, word<'c', 'o', 'n', 't', 'i', 'n', 'u', 'e'>,
          word<'e', 'l', 's', 'e'>, word<'f', 'o', 'r'>,
          word<'f', 'u', 'n', 'c', 't', 'i', 'o', 'n'>, word<'i', 'f'>,
          word<'i', 'm', 'p', 'o', 'r', 't'>, word<'l', 'e', 't'>, word<'l', 'o', 'o', 'p'>,
          word<'p', 'a', 'c', 'k', 'a', 'g', 'e'>,
          word<'n', 'a', 'm', 'e', 's', 'p', 'a', 'c', 'e'>, word<'r', 'e', 't', 'u', 'r', 'n'>,
          word<'v', 'a', 'r'>, word<'v', 'o', 'i', 'd'>, word<'w', 'h', 'i', 'l', 'e'>> {};
struct identifier : seq<not_at<reserved>, ident_word> {};
// A field or method name after '.': any word, or a `quoted` name.
struct quoted_field : seq<one<'`'>, plus<not_one<'`', '\n', '\r'>>, one<'`'>> {};
struct field_name : sor<ident_word, quoted_field> {};

// ---- Literals ------------------------------------------------------------------
struct hex_digits : seq<one<'0'>, one<'x', 'X'>, plus<xdigit>> {};
struct dec_digits : plus<digit> {};
struct exponent_digits : plus<digit> {};
struct exponent : seq<one<'e', 'E'>, opt<one<'+', '-'>>, exponent_digits> {};
struct double_lit : seq<opt<one<'-'>>,
                        sor<seq<plus<digit>, one<'.'>, plus<digit>, opt<exponent>>,
                            seq<one<'.'>, plus<digit>, opt<exponent>>, seq<plus<digit>, exponent>>,
                        not_at<ident_other>> {};
struct uint_lit : seq<sor<hex_digits, dec_digits>, one<'u', 'U'>, not_at<ident_other>> {};
// The sign belongs to the literal so that -9223372036854775808 is an int.
struct int_lit : seq<opt<one<'-'>>, sor<hex_digits, dec_digits>, not_at<ident_other>> {};

struct escape : seq<one<'\\'>, any> {};
struct single_line_end : one<'\n', '\r'> {};
template <char Q>
struct short_body : until<one<Q>, sor<escape, not_one<'\n', '\r'>>> {};
template <char Q>
struct long_body : until<three<Q>, sor<escape, any>> {};
template <char Q>
struct raw_short_body : until<one<Q>, not_one<'\n', '\r'>> {};
template <char Q>
struct raw_long_body : until<three<Q>, any> {};
// Bodies are wrapped so a missing closing quote is a positioned error.
struct unterminated_string_body : failure {};
template <typename Body>
struct string_body : sor<Body, unterminated_string_body> {};
template <char Q>
struct quoted
    : sor<seq<three<Q>, string_body<long_body<Q>>>, seq<one<Q>, string_body<short_body<Q>>>> {};
template <char Q>
struct raw_quoted : sor<seq<three<Q>, string_body<raw_long_body<Q>>>,
                        seq<one<Q>, string_body<raw_short_body<Q>>>> {};
struct any_quoted : sor<quoted<'"'>, quoted<'\''>> {};
struct any_raw_quoted : sor<raw_quoted<'"'>, raw_quoted<'\''>> {};
struct raw_prefix : one<'r', 'R'> {};
struct bytes_prefix : one<'b', 'B'> {};
struct string_lit : sor<seq<raw_prefix, any_raw_quoted>, any_quoted> {};
struct bytes_lit
    : sor<seq<bytes_prefix, raw_prefix, any_raw_quoted>,
          seq<raw_prefix, bytes_prefix, any_raw_quoted>, seq<bytes_prefix, any_quoted>> {};
struct null_lit : kw_null {};
struct true_lit : kw_true {};
struct false_lit : kw_false {};
struct literal
    : sor<bytes_lit, string_lit, double_lit, uint_lit, int_lit, null_lit, true_lit, false_lit> {};

// ---- Punctuation (each followed by optional whitespace) -----------------------
template <typename R>
struct tok : seq<R, sp> {};
struct comma : tok<one<','>> {};
struct dot : one<'.'> {};
struct lparen : tok<one<'('>> {};
struct lbracket : tok<one<'['>> {};
struct lbrace : tok<one<'{'>> {};
// Required closers and separators: failing to find one is a syntax error.
struct expect_rparen : tok<one<')'>> {};
struct expect_rbracket : tok<one<']'>> {};
struct expect_rbrace : tok<one<'}'>> {};
struct expect_colon : tok<one<':'>> {};
struct expect_field : seq<sp, field_name> {};

struct expr;
// An expression that must be present (after an operator, inside brackets).
struct expect_expr : nested<expr> {};
// An expression that may be absent (the first item of a possibly empty list).
struct element : nested<expr> {};

// ---- Primary expressions ----------------------------------------------------------
struct expr_list : opt<list_tail<element, comma>> {};
struct call_args : seq<lparen, expr_list, expect_rparen> {};
struct leading_dot : one<'.'> {};
struct ident_or_call : seq<opt<leading_dot>, identifier, sp, opt<call_args>> {};
struct paren_expr : seq<lparen, expect_expr, expect_rparen> {};
struct optional_entry_marker : one<'?'> {};
// `[a, ?b]`: an element marked optional is included only when it holds a value.
struct list_element : seq<opt<optional_entry_marker>, element> {};
struct list_lit : seq<lbracket, opt<list_tail<list_element, comma>>, expect_rbracket> {};
struct map_entry : seq<opt<optional_entry_marker>, element, expect_colon, expect_expr> {};
struct map_lit : seq<lbrace, opt<list_tail<map_entry, comma>>, expect_rbrace> {};
// `pkg.Message{field: value}`: parsed only to be reported as unsupported.
struct message_name : seq<opt<leading_dot>, identifier, star<sp, dot, sp, ident_word>> {};
struct field_init : seq<opt<optional_entry_marker>, ident_word, sp, expect_colon, expect_expr> {};
struct message_lit
    : seq<message_name, sp, lbrace, opt<list_tail<field_init, comma>>, expect_rbrace> {};
struct primary : sor<seq<literal, sp>, message_lit, ident_or_call, paren_expr, list_lit, map_lit> {
};

// ---- Member access -------------------------------------------------------------------
struct optional_select : seq<sp, dot, one<'?'>, expect_field, sp> {};
struct select_or_call : seq<sp, dot, expect_field, sp, opt<call_args>> {};
struct optional_index : seq<lbracket, one<'?'>, sp, expect_expr, expect_rbracket> {};
struct index : seq<lbracket, expect_expr, expect_rbracket> {};
struct member : seq<primary, star<sor<optional_select, select_or_call, optional_index, index>>> {};

// ---- Operators -----------------------------------------------------------------------
struct unary;
struct expect_unary : nested<unary> {};
struct not_op : one<'!'> {};
struct neg_op : one<'-'> {};
struct not_expr : seq<not_op, sp, expect_unary> {};
struct neg_expr : seq<neg_op, sp, expect_unary> {};
struct unary : sor<not_expr, member, neg_expr> {};

struct mul_op : tok<sor<one<'*'>, one<'/'>, one<'%'>>> {};
struct multiplication : seq<unary, star<mul_op, expect_unary>> {};
struct expect_multiplication : seq<multiplication> {};
struct add_op : tok<one<'+', '-'>> {};
struct addition : seq<multiplication, star<add_op, expect_multiplication>> {};
struct expect_addition : seq<addition> {};
struct rel_op : tok<sor<string<'<', '='>, string<'>', '='>, string<'=', '='>, string<'!', '='>,
                        one<'<'>, one<'>'>, kw_in>> {};
struct relation : seq<addition, star<rel_op, expect_addition>> {};
struct expect_relation : seq<relation> {};
struct and_op : tok<two<'&'>> {};
struct and_expr : seq<relation, star<and_op, expect_relation>> {};
struct expect_and : seq<and_expr> {};
struct or_op : tok<two<'|'>> {};
struct or_expr : seq<and_expr, star<or_op, expect_and>> {};
struct expect_or : nested<or_expr> {};
struct question : tok<one<'?'>> {};
struct conditional : seq<or_expr, opt<question, expect_or, expect_colon, expect_expr>> {};
struct expr : seq<sp, conditional> {};

// The text after a complete expression must be empty.
struct expect_end : eof {};
struct expression : seq<expect_expr, sp, expect_end> {};

// ---- Error messages: rules that raise when they fail ------------------------------
template <typename Rule>
inline constexpr const char* error_message = nullptr;
template <>
inline constexpr const char* error_message<expect_expr> = "expected an expression";
template <>
inline constexpr const char* error_message<expect_unary> = "expected an expression";
template <>
inline constexpr const char* error_message<expect_multiplication> = "expected an expression";
template <>
inline constexpr const char* error_message<expect_addition> = "expected an expression";
template <>
inline constexpr const char* error_message<expect_relation> = "expected an expression";
template <>
inline constexpr const char* error_message<expect_and> = "expected an expression";
template <>
inline constexpr const char* error_message<expect_or> = "expected an expression";
template <>
inline constexpr const char* error_message<expect_rparen> = "expected ')'";
template <>
inline constexpr const char* error_message<expect_rbracket> = "expected ']'";
template <>
inline constexpr const char* error_message<expect_rbrace> = "expected '}'";
template <>
inline constexpr const char* error_message<expect_colon> = "expected ':'";
template <>
inline constexpr const char* error_message<expect_field> =
    "expected a field or method name after '.'";
template <>
inline constexpr const char* error_message<exponent_digits> = "expected digits in the exponent";
template <>
inline constexpr const char* error_message<unterminated_string_body> =
    "unterminated string literal";
template <>
inline constexpr const char* error_message<expect_end> =
    "expected an operator or the end of the expression";

struct errors {
  template <typename Rule>
  static constexpr const char* message = error_message<Rule>;
};

template <typename Rule>
using control = must_if<errors>::control<Rule>;

}  // namespace castellan::dsl::grammar
