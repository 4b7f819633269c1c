; Exceptions across functions that may land in different partitions: a thrower
; (typeinfo of its own class in a comdat, as C++ emits it), a middle function with a
; cleanup landing pad that resumes, a catcher whose personality is an internal wrapper
; around __gxx_personality_v0 and whose catch clauses name that typeinfo and an
; external one (int). The catcher must see the thrower's typeinfo as the same object.
target triple = "x86_64-pc-linux-gnu"

$_ZTS4Oops = comdat any
$_ZTI4Oops = comdat any

@_ZTVN10__cxxabiv117__class_type_infoE = external global [0 x ptr]
@_ZTS4Oops = linkonce_odr constant [6 x i8] c"4Oops\00", comdat, align 1
@_ZTI4Oops = linkonce_odr constant { ptr, ptr } { ptr getelementptr inbounds (ptr, ptr @_ZTVN10__cxxabiv117__class_type_infoE, i64 2), ptr @_ZTS4Oops }, comdat, align 8
@_ZTIi = external constant ptr
@cleanups = global i32 0, align 4
@.fmt = private unnamed_addr constant [13 x i8] c"%d %d %d %d\0A\00"

declare i32 @printf(ptr, ...)
declare ptr @__cxa_allocate_exception(i64)
declare void @__cxa_throw(ptr, ptr, ptr)
declare ptr @__cxa_begin_catch(ptr)
declare void @__cxa_end_catch()
declare i32 @__gxx_personality_v0(i32, i32, i64, ptr, ptr)
declare i32 @llvm.eh.typeid.for.p0(ptr)

define internal i32 @my_personality(i32 %v, i32 %a, i64 %c, ptr %e, ptr %ctx) {
  %r = tail call i32 @__gxx_personality_v0(i32 %v, i32 %a, i64 %c, ptr %e, ptr %ctx)
  ret i32 %r
}

define void @thrower(i32 %x) {
entry:
  %pos = icmp sgt i32 %x, 0
  br i1 %pos, label %oops, label %maybe_int
oops:
  %e = call ptr @__cxa_allocate_exception(i64 4)
  store i32 %x, ptr %e, align 4
  call void @__cxa_throw(ptr %e, ptr @_ZTI4Oops, ptr null)
  unreachable
maybe_int:
  %neg = icmp slt i32 %x, 0
  br i1 %neg, label %int, label %none
int:
  %ei = call ptr @__cxa_allocate_exception(i64 4)
  store i32 %x, ptr %ei, align 4
  call void @__cxa_throw(ptr %ei, ptr @_ZTIi, ptr null)
  unreachable
none:
  ret void
}

define void @middle(i32 %x) personality ptr @__gxx_personality_v0 {
entry:
  invoke void @thrower(i32 %x) to label %ok unwind label %cleanup
ok:
  ret void
cleanup:
  %lp = landingpad { ptr, i32 } cleanup
  %n = load i32, ptr @cleanups
  %n1 = add i32 %n, 1
  store i32 %n1, ptr @cleanups
  resume { ptr, i32 } %lp
}

define i32 @catcher(i32 %x) personality ptr @my_personality {
entry:
  invoke void @middle(i32 %x) to label %none unwind label %lpad
none:
  ret i32 0
lpad:
  %lp = landingpad { ptr, i32 } catch ptr @_ZTI4Oops catch ptr @_ZTIi
  %obj = extractvalue { ptr, i32 } %lp, 0
  %sel = extractvalue { ptr, i32 } %lp, 1
  %oops_id = call i32 @llvm.eh.typeid.for.p0(ptr @_ZTI4Oops)
  %is_oops = icmp eq i32 %sel, %oops_id
  %payload = call ptr @__cxa_begin_catch(ptr %obj)
  %v = load i32, ptr %payload, align 4
  call void @__cxa_end_catch()
  %scaled = mul i32 %v, 10
  %r = select i1 %is_oops, i32 %scaled, i32 %v
  ret i32 %r
}

define i32 @main() {
  %a = call i32 @catcher(i32 4)
  %b = call i32 @catcher(i32 -3)
  %c = call i32 @catcher(i32 0)
  %n = load i32, ptr @cleanups
  %r = call i32 (ptr, ...) @printf(ptr @.fmt, i32 %a, i32 %b, i32 %c, i32 %n)
  ret i32 0
}
