// CEL's math extension (cel-go ext/math.go): math.greatest, math.least,
// math.ceil, floor, round, trunc, abs, sign, isNaN, isInf, isFinite and the
// bit operations bitAnd, bitOr, bitXor, bitNot, bitShiftLeft, bitShiftRight.
//
// math.greatest(a, b, c) is parsed as math.greatest([a, b, c]) (dsl/parser.cc),
// so the implementations take one number or one list of numbers. Mixed
// numeric kinds compare by value and the winner keeps its kind. Every
// function is pure and safe to call from many threads.
// AddMathExtensions (declared in engine/catalogue.h) adds them to the catalogue.
#pragma once

#include <span>

#include "engine/value.h"

namespace castellan::engine::math_extension {

using Args = std::span<const Value>;

Value Greatest(Args a);
Value Least(Args a);
Value Ceil(Args a);
Value Floor(Args a);
Value Round(Args a);  // halves away from zero
Value Trunc(Args a);
Value Abs(Args a);
Value Sign(Args a);
Value IsNaN(Args a);
Value IsInf(Args a);
Value IsFinite(Args a);
Value BitAnd(Args a);
Value BitOr(Args a);
Value BitXor(Args a);
Value BitNot(Args a);
Value BitShiftLeft(Args a);   // shifts of 64 or more give 0; a negative shift is an error
Value BitShiftRight(Args a);  // logical: the sign bit is not extended

}  // namespace castellan::engine::math_extension
