// Hostile attribute values over the entity API: quotes, SQL, NUL characters,
// 1 MB strings, invalid UTF-8, JSON nested 1000 deep, numbers at and past
// the limits. Each value is either stored and read back byte-identical, or
// refused whole with a 400 that says why; either way no other entity, no
// decision and (for a refusal) not even the data version changes.
#include <gtest/gtest.h>

#include "pack_integration.h"

namespace castellan::testing {
namespace {

// `note` has no EntityKind in the default pack: any attribute is accepted,
// so what is tested is the path from HTTP to SQLite and back.
const char* const kKind = "note";

// A hostile entity: a name for messages, its id (percent-encoded for the
// path, as sent) and the raw JSON text of the `value` attribute.
struct Hostile {
  std::string name, id, path_id, value;
};

std::string Body(const Hostile& h) {
  return R"({"kind": "note", "org": "acme", "id": )" + json(h.id).dump() + R"(, "value": )" +
         h.value + "}";
}

std::string Deep(int levels) {
  return std::string(levels, '[') + "1" + std::string(levels, ']');
}

const std::vector<Hostile>& Cases() {
  static const std::vector<Hostile> cases = {
      {"quotes", "quotes", "quotes", R"("He said \"hi\", 'bye' and `ls` \\ / \b\f\n\r\t")"},
      {"sql", "'; DROP TABLE x; --", "%27%3B%20DROP%20TABLE%20x%3B%20--",
       R"("'; DROP TABLE x; --")"},
      {"sql in a key", "sql-key", "sql-key", R"({"'; DROP TABLE entities; --": "x\"); --"})"},
      {"nul", "nul", "nul", R"("before\u0000after")"},
      {"nul only", "nul-only", "nul-only", R"("\u0000")"},
      {"1 MB", "big", "big", json(std::string(1 << 20, 'x')).dump()},
      {"1 MB of escapes", "big-escapes", "big-escapes",
       json(std::string(1 << 19, '"') + std::string(1 << 19, '\\')).dump()},
      {"unicode", "unicode", "unicode", R"("h\u00e9llo \ud83d\ude00 \u2028 日本")"},
      {"invalid UTF-8", "bad-utf8", "bad-utf8",
       "\"a\xff\xfe"
       "b\xc3\""},
      {"lone surrogate", "surrogate", "surrogate", R"("\udc00")"},
      {"deep JSON 1000", "deep1000", "deep1000", Deep(1000)},
      {"deep JSON 60", "deep60", "deep60", Deep(60)},
      {"int64 max", "int64max", "int64max", "9223372036854775807"},
      {"int64 min", "int64min", "int64min", "-9223372036854775808"},
      {"uint64 max", "uint64max", "uint64max", "18446744073709551615"},
      {"past uint64", "past-uint64", "past-uint64", "18446744073709551616"},
      {"huge integer", "huge-int", "huge-int", "1" + std::string(400, '0')},
      {"double max", "double-max", "double-max", "1.7976931348623157e+308"},
      {"past double", "past-double", "past-double", "1e400"},
      {"denormal", "denormal", "denormal", "5e-324"},
  };
  return cases;
}

// The data version decisions report now.
uint64_t DataVersion(Server& server) {
  return server.Post("/v1/check", Check("olivia@acme.example", "acme", {"company.view"}))
      .Json()
      .value("entity_version", uint64_t{0});
}

// Every organization and user, and decisions over them, without the fields
// that name the data version or the request.
json World(Server& server) {
  json world;
  for (const char* kind : {"organization", "user"}) {
    const Reply r =
        server.Call("GET", std::string("/v1/entities/") + kind + "?limit=1000", "", kEntityWriter);
    world[kind] = r.status == 200 ? r.Json()["entities"] : json(r.body);
  }
  for (const char* user : {"olivia@acme.example", "adam@acme.example", "ava@acme.example",
                           "gus@globex.example", "carl@contoso.com"}) {
    for (const char* org : {"acme", "contoso", "fabrikam", "initech"}) {
      json answer =
          server.Post("/v1/check", Check(user, org, {"company.view", "company.edit"})).Json();
      if (answer.is_object()) {
        answer.erase("entity_version");
        answer.erase("request_id");
      }
      world["decisions"][std::string(user) + " " + org] = answer;
    }
  }
  return world;
}

TEST(HostileValues, StoredByteIdenticalOrRefusedWithA400) {
  Server server(CASTELLAN_SOURCE_DIR "/policies", {"--max-body-bytes", "8388608"}, EmptyStore());
  ASSERT_NE(server.port(), 0) << server.Log();
  const json pack = EntityFileJson(CASTELLAN_SOURCE_DIR "/policies/entities.yaml");
  ASSERT_EQ(server.Call("POST", "/v1/entities:import", pack.dump(), kEntityWriter).status, 200);
  const json before = World(server);

  std::string stored, refused;
  for (const Hostile& h : Cases()) {
    SCOPED_TRACE(h.name);
    const uint64_t version = DataVersion(server);
    const Reply put = EntityCall(server, "PUT", kKind, h.path_id, Body(h));
    const Reply get = EntityCall(server, "GET", kKind, h.path_id);
    if (put.status == 400) {
      const json error = put.Json();
      ASSERT_TRUE(error.is_object() && error.contains("error")) << put.body;
      const std::string code = error["error"].value("code", "");
      const std::string message = error["error"].value("message", "");
      EXPECT_FALSE(code.empty() || message.empty()) << put.body;
      EXPECT_EQ(get.status, 404) << "refused, yet stored: " << get.body.substr(0, 200);
      EXPECT_EQ(DataVersion(server), version) << "a refused write changed the data version";
      refused += "\n  " + h.name + ": 400 " + code + ": " + message.substr(0, 120);
      continue;
    }
    ASSERT_TRUE(put.status == 201)
        << "neither stored nor a 400: " << put.status << " " << put.body.substr(0, 300);
    ASSERT_EQ(get.status, 200) << get.body.substr(0, 300);
    const json sent = json::parse(Body(h), nullptr, false);
    const json back = get.Json();
    ASSERT_TRUE(sent.is_object() && back.is_object()) << get.body.substr(0, 300);
    // Byte-identical: a string's bytes; a number's digits as written (in
    // the canonical form: 1e+308, not 1e308), not a rounded neighbour.
    if (sent["value"].is_string()) {
      EXPECT_TRUE(back["value"].is_string() && back["value"] == sent["value"]);
    } else if (sent["value"].is_number()) {
      EXPECT_EQ(back["value"].dump(), h.value);
    }
    EXPECT_EQ(back["id"], h.id);
    EXPECT_EQ(back, sent);
    EXPECT_EQ(DataVersion(server), version + 1);
    // And once more after a read of the whole list, which serialises it again.
    const Reply listed = server.Call("GET", "/v1/entities/note?limit=1000", "", kEntityWriter);
    EXPECT_EQ(listed.status, 200) << listed.body.substr(0, 300);
    stored += "\n  " + h.name;
  }
  std::cout << "stored byte-identical:" << stored << "\nrefused with 400:" << refused << "\n";
  EXPECT_EQ(World(server), before) << "a hostile write changed other entities or decisions";

  // The hostile data survives a restart unchanged (read back from SQLite, not memory).
  server.Stop();
  server.Restart();
  ASSERT_NE(server.port(), 0) << server.Log();
  for (const Hostile& h : Cases()) {
    const Reply get = EntityCall(server, "GET", kKind, h.path_id);
    if (get.status == 404) continue;
    EXPECT_EQ(get.Json(), json::parse(Body(h), nullptr, false)) << h.name << " after restart";
  }
  EXPECT_EQ(World(server), before);
}

// Ids in the path are percent-decoded; an id in the body must match it.
TEST(HostileValues, BodyIdMustMatchThePath) {
  Server server(CASTELLAN_SOURCE_DIR "/policies", {}, EmptyStore());
  ASSERT_NE(server.port(), 0) << server.Log();
  const json pack = EntityFileJson(CASTELLAN_SOURCE_DIR "/policies/entities.yaml");
  ASSERT_EQ(server.Call("POST", "/v1/entities:import", pack.dump(), kEntityWriter).status, 200);
  const Reply r =
      EntityCall(server, "PUT", kKind, "a", R"({"kind": "note", "org": "acme", "id": "a'; --"})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(EntityCall(server, "GET", kKind, "a").status, 404);
}

}  // namespace
}  // namespace castellan::testing
