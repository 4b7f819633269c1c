; Thread-local variables in every TLS model (general dynamic, local dynamic, initial
; exec, local exec), internal and external, read and written from functions spread
; over the module, in the main thread and in a second thread: each thread sees its own
; copies, starting from the initializers.
target triple = "x86_64-pc-linux-gnu"

@tls_gd = thread_local global i32 1, align 4
@tls_ld = internal thread_local(localdynamic) global i32 2, align 4
@tls_ie = thread_local(initialexec) global i32 3, align 4
@tls_le = internal thread_local(localexec) global i32 4, align 4
@.fmt = private unnamed_addr constant [13 x i8] c"%s %d %d %d\0A\00"
@.main = private unnamed_addr constant [5 x i8] c"main\00"
@.thread = private unnamed_addr constant [7 x i8] c"thread\00"

declare i32 @printf(ptr, ...)
declare i32 @pthread_create(ptr, ptr, ptr, ptr)
declare i32 @pthread_join(i64, ptr)

define void @bump_gd() {
  %p = call ptr @llvm.threadlocal.address.p0(ptr @tls_gd)
  %v = load i32, ptr %p
  %n = add i32 %v, 10
  store i32 %n, ptr %p
  ret void
}

define void @bump_ld() {
  %p = call ptr @llvm.threadlocal.address.p0(ptr @tls_ld)
  %v = load i32, ptr %p
  %n = add i32 %v, 100
  store i32 %n, ptr %p
  ret void
}

define void @bump_ie() {
  %p = call ptr @llvm.threadlocal.address.p0(ptr @tls_ie)
  %v = load i32, ptr %p
  %n = add i32 %v, 1000
  store i32 %n, ptr %p
  ret void
}

define void @bump_le() {
  %p = call ptr @llvm.threadlocal.address.p0(ptr @tls_le)
  %v = load i32, ptr %p
  %n = add i32 %v, 10000
  store i32 %n, ptr %p
  ret void
}

define i32 @total() {
  %a = call ptr @llvm.threadlocal.address.p0(ptr @tls_gd)
  %b = call ptr @llvm.threadlocal.address.p0(ptr @tls_ld)
  %c = call ptr @llvm.threadlocal.address.p0(ptr @tls_ie)
  %d = call ptr @llvm.threadlocal.address.p0(ptr @tls_le)
  %va = load i32, ptr %a
  %vb = load i32, ptr %b
  %vc = load i32, ptr %c
  %vd = load i32, ptr %d
  %s1 = add i32 %va, %vb
  %s2 = add i32 %s1, %vc
  %s3 = add i32 %s2, %vd
  ret i32 %s3
}

define i32 @distinct_per_thread() {
  %a = call ptr @llvm.threadlocal.address.p0(ptr @tls_ld)
  %i = ptrtoint ptr %a to i32
  ret i32 %i
}

define void @report(ptr %who, i32 %rounds) {
entry:
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %i1, %loop ]
  call void @bump_gd()
  call void @bump_ld()
  call void @bump_ie()
  call void @bump_le()
  %i1 = add i32 %i, 1
  %more = icmp slt i32 %i1, %rounds
  br i1 %more, label %loop, label %done
done:
  %t = call i32 @total()
  %b = call ptr @llvm.threadlocal.address.p0(ptr @tls_le)
  %v = load i32, ptr %b
  %r = call i32 (ptr, ...) @printf(ptr @.fmt, ptr %who, i32 %rounds, i32 %t, i32 %v)
  ret void
}

define internal ptr @thread_main(ptr %arg) {
  call void @report(ptr @.thread, i32 1)
  ret ptr null
}

define i32 @main() {
  %tid = alloca i64
  call void @report(ptr @.main, i32 3)
  %c = call i32 @pthread_create(ptr %tid, ptr null, ptr @thread_main, ptr null)
  %t = load i64, ptr %tid
  %j = call i32 @pthread_join(i64 %t, ptr null)
  call void @report(ptr @.main, i32 1)
  ret i32 0
}

declare ptr @llvm.threadlocal.address.p0(ptr)
